namespace Calico.Client;

/// <summary>Bad client configuration (calicoctl.cfg, environment). The message names the field and the bad value.</summary>
public sealed class ClientConfigException(string message, Exception? inner = null) : Exception(message, inner);
