using System.Diagnostics;
using Calico.Bird.Control;
using Calico.Node.Startup;

namespace Calico.Node.Routing;

/// <summary>
/// The running BIRD's reload, on the path from a new block to its announcement: the rendered configuration is written
/// beside bird.cfg (0600, in place and synchronously, not flushed to disk: bird.cfg is derived state, rendered again
/// from the datastore before every BIRD start, and BIRD reads the candidate only once it is written) and handed to BIRD as <c>configure "bird.cfg.new"</c>. BIRD parses it once: a bad file is refused with
/// BIRD's message and BIRD goes on with what it runs (bird.cfg stays the last accepted one); an accepted one runs at
/// once and then replaces bird.cfg, which BIRD reads on a start, a plain <c>configure</c> or SIGHUP. (Before, a
/// <c>configure check</c> parsed the file and <c>configure</c> parsed it again; upstream's confd runs <c>bird -p</c>
/// and then <c>birdcl configure</c>.)
/// </summary>
internal sealed partial class BirdSupervisor
{
    private async Task ReconfigureAsync(BirdControl control, string config, CancellationToken cancellationToken)
    {
        string candidate = ConfigPath + ".new";
        StateDirectory.WriteFreshSecret(candidate, config);
        Trace.MarkWritten();
        BirdConfigureResult result = await control.ConfigureAsync(candidate, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            File.Delete(candidate);
            throw new InvalidOperationException("BIRD refused the rendered configuration (kept the previous one): " + result.Message.Trim());
        }

        long configured = Stopwatch.GetTimestamp();
        File.Move(candidate, ConfigPath, overwrite: true);
        Log.Reconfigured(logger, Trace.Describe(configured));
    }
}
