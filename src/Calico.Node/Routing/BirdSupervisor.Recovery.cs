namespace Calico.Node.Routing;

/// <summary>
/// Graceful-restart recovery when BIRD starts after it died (upstream's runit service always runs <c>bird -R</c>).
/// BIRD removes its pid file when it shuts down cleanly (and then sends its peers a Cease, so they drop its routes at
/// once); a pid file left behind with no BIRD answering on the socket means it was killed or crashed, its peers hold
/// this host's routes as stale, and the kernel kept the routes it had programmed (<c>persist</c>). Started with
/// <c>-R</c>, BIRD advertises the graceful-restart Restart State bit and the forwarding-state bit for each address
/// family, waits for its peers' End-of-RIB before it exports, and then sends its routes followed by End-of-RIB: peers
/// replace the stale routes in place. Started without it, the forwarding-state bit is clear and a peer flushes the
/// stale routes the moment the new session is Established, before the UPDATE that re-announces them arrives (the
/// restart bench's missing polls). A first start (no pid file: a fresh host, or after a reboot emptied the state
/// directory) does not wait for its peers, so one peer that never answers cannot hold back its exports for BIRD's
/// <c>graceful restart wait</c> (240 s).
/// </summary>
internal sealed partial class BirdSupervisor
{
    /// <summary>The arguments that start BIRD daemonised, in graceful-restart recovery when it died uncleanly.</summary>
    internal string[] StartArguments()
    {
        string[] arguments = ["-c", ConfigPath, "-s", SocketPath, "-P", PidPath];
        return File.Exists(PidPath) ? ["-R", .. arguments] : arguments;
    }
}
