namespace Calico.Client;

/// <summary>The version every binary reports, and ClusterInformation's calicoVersion.</summary>
public static class VersionInfo
{
    public const string Version = "v3.33.0-csharp";
}
