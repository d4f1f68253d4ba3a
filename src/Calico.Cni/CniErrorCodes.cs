namespace Calico.Cni;

/// <summary>Error codes of the CNI specification 1.1.0 (0-99 reserved by the spec; 100+ ours).</summary>
internal static class CniErrorCodes
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironment = 4;
    public const int IoFailure = 5;
    public const int DecodeFailure = 6;
    public const int InvalidConfig = 7;
    public const int TryAgainLater = 11;
    public const int PluginNotAvailable = 50;
    public const int PluginNotAvailableLimitedConnectivity = 51;

    /// <summary>Plugin-specific: the attachment exists but does not look as ADD left it (CHECK).</summary>
    public const int CheckFailed = 100;

    /// <summary>Plugin-specific: the network could not be set up (IPAM exhausted, kernel refused...).</summary>
    public const int AddFailed = 101;
}
