namespace Calico.Lab.Cluster;

/// <summary>
/// A detached process the lab started. <see cref="Marker"/> is a string its command line contains: after a crash
/// and a reboot of PIDs, <c>down</c> only signals a PID whose command line still has it.
/// </summary>
public sealed class LabProcess
{
    public int Pid { get; set; }

    public string Marker { get; set; } = "";
}
