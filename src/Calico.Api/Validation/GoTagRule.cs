namespace Calico.Api;

/// <summary>A Go field's <c>validate:"..."</c> tag at its JSON path; <c>Pointer</c> when the Go field is a pointer (omitempty then skips only nil).</summary>
internal sealed record GoTagRule(string Kind, string Path, string GoField, string Tag, bool Pointer);
