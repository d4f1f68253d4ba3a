namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's flow aggregator in lab.json: the <c>goldmane</c> process inside the fabric namespace, the relay that
/// makes it reachable from the machine's namespace, and the addresses each side uses.
/// </summary>
public sealed class LabFlowsState
{
    /// <summary>The aggregator (<c>goldmane</c>) inside the fabric namespace.</summary>
    public LabProcess? Aggregator { get; set; }

    /// <summary>The <c>calico-lab relay</c> process in the machine's namespace (loopback listeners only).</summary>
    public LabProcess? Relay { get; set; }

    /// <summary>What every calico-node is given as <c>flowLogsGoldmaneServer</c>: the fabric router's address and port 7443.</summary>
    public string Server { get; set; } = "";

    /// <summary>The gRPC API from the machine's namespace: <c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Grpc { get; set; } = "";

    /// <summary>The web view from the machine's namespace: <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public string Web { get; set; } = "";

    /// <summary>Every calico-node's <c>flowLogsFlushInterval</c>, in seconds.</summary>
    public int FlushIntervalSeconds { get; set; }
}
