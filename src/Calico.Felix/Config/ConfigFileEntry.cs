namespace Calico.Felix.Config;

/// <summary>One <c>Name = value</c> line of felix.cfg.</summary>
public sealed record ConfigFileEntry(string Section, string Key, string Value, int Line);
