using Calico.Felix.Bpf;

namespace Calico.Felix.Dataplane.Bpf;

public sealed partial class BpfWorkloadDataplane
{
    /// <summary>
    /// Turns the programs' flow-log events and per-flow counters on or off (cali_fl_cfg, read once per new flow): on
    /// while calico-node's flow logs are (<c>RenderConfig.FlowLogs</c>), so that without them the programs emit nothing
    /// and count nothing. Written when it changes, and at this process's first apply (a pinned map may hold another
    /// agent's setting) and every full resync (a hand-edited entry is repaired with the rest); the loss count is kept.
    /// </summary>
    private void WriteFlowLogSwitch(bool enabled, bool full)
    {
        if (!full && _flowLogsWritten == enabled)
        {
            return;
        }

        var map = _maps[BpfMapLayout.FlowLogConfigMap];
        byte[] key = new byte[4];
        ulong lost = map.Lookup(key) is { } current ? BpfMapLayout.ReadFlowLogConfig(current).Lost : 0;
        map.Update(key, BpfMapLayout.FlowLogConfig(enabled, lost));
        _flowLogsWritten = enabled;
    }
}
