using System.Diagnostics;
using Calico.Bird;
using Calico.Bird.Control;
using Calico.Node.Startup;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// Runs this host's BIRD 2 with the configuration calico-node renders: writes <c>&lt;state&gt;/bird.cfg</c> only after
/// BIRD accepted it, starts BIRD when none answers on <c>&lt;state&gt;/bird.ctl</c> (after <c>bird -p</c>), and
/// otherwise reloads it through the control socket with the candidate file (<c>configure "bird.cfg.new"</c>: one parse;
/// BIRD refuses a bad file and keeps what it runs; sessions whose settings did not change are kept; see
/// BirdSupervisor.Reconfigure.cs).
/// BIRD runs daemonised, not as our child: when calico-node dies or restarts, BIRD and its sessions stay up and peers
/// keep this host's routes; the next calico-node adopts it through the socket.
/// </summary>
internal sealed partial class BirdSupervisor(string stateDir, ILogger logger)
{
    private string? _applied;
    private BirdControl? _control;

    /// <summary>The steps of the current apply (the routing loop and the driver mark theirs); logged with each reconfiguration.</summary>
    public RoutingApplyTrace Trace { get; } = new();

    /// <summary>Runs <c>bird</c> (check and start); tests replace it so no daemon is started outside a namespace.</summary>
    internal Func<string, string[], CancellationToken, Task<(int Code, string Output)>> RunProcess { get; init; } = RunAsync;

    public string ConfigPath => Path.Combine(stateDir, "bird.cfg");

    public string SocketPath => Path.Combine(stateDir, "bird.ctl");

    public string PidPath => Path.Combine(stateDir, "bird.pid");

    /// <summary>BIRD's log (it runs daemonised, so stderr is closed); its tracing follows logSeverityScreen.</summary>
    public string LogPath => Path.Combine(stateDir, "bird.log");

    /// <summary>Makes BIRD run <paramref name="config"/>. Throws with BIRD's own message when it refuses it.</summary>
    public async Task ApplyAsync(string config, CancellationToken cancellationToken)
    {
        if (config == _applied)
        {
            // Nothing to reload; only whether BIRD still answers matters (a fresh connection, as the refresh
            // timer's check makes: the kept one below could be left over from a BIRD that has since died).
            await using BirdControl? alive = await TryConnectAsync(cancellationToken).ConfigureAwait(false);
            if (alive is not null)
            {
                Trace.MarkUnchanged();
                return;
            }
        }

        // The configuration carries BGP passwords in cleartext: 0700 directory, 0600 files, atomic writes.
        StateDirectory.Ensure(stateDir);
        StateDirectory.TightenSecret(ConfigPath);
        if (await KeptControlAsync(cancellationToken).ConfigureAwait(false) is { } control
            && (await TryReconfigureAsync(control, config, cancellationToken).ConfigureAwait(false)
                || (await ReconnectAsync(cancellationToken).ConfigureAwait(false) is { } fresh
                    && await TryReconfigureAsync(fresh, config, cancellationToken).ConfigureAwait(false))))
        {
            // Reloaded through the kept connection, or through a fresh one when the kept one had gone stale.
        }
        else
        {
            if (config != _applied || !File.Exists(ConfigPath) || await File.ReadAllTextAsync(ConfigPath, cancellationToken).ConfigureAwait(false) != config)
            {
                string candidate = ConfigPath + ".new";
                await StateDirectory.WriteSecretAsync(candidate, config, cancellationToken).ConfigureAwait(false);
                var (accepted, message) = await CheckWithProcessAsync(candidate, cancellationToken).ConfigureAwait(false);
                if (!accepted)
                {
                    throw new InvalidOperationException("BIRD refused the rendered configuration (kept the previous one): " + message.Trim());
                }

                File.Move(candidate, ConfigPath, overwrite: true);
            }

            await StartAsync(cancellationToken).ConfigureAwait(false);
        }

        _applied = config;
    }

    private async Task<(bool Accepted, string Message)> CheckWithProcessAsync(string candidate, CancellationToken cancellationToken)
    {
        var (code, output) = await RunProcess("bird", ["-p", "-c", candidate], cancellationToken).ConfigureAwait(false);
        return (code == 0, output);
    }

    /// <summary>
    /// The control connection kept between reloads: connecting and reading BIRD's greeting was most of a reload's
    /// "write" step on a new block's path (~0.8 ms with the candidate's write; bench/README.md, routing). Only the
    /// routing loop's applies use it, one at a time.
    /// </summary>
    private async Task<BirdControl?> KeptControlAsync(CancellationToken cancellationToken) =>
        _control ??= await TryConnectAsync(cancellationToken).ConfigureAwait(false);

    private async Task<BirdControl?> ReconnectAsync(CancellationToken cancellationToken)
    {
        await DropKeptControlAsync().ConfigureAwait(false);
        return await KeptControlAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DropKeptControlAsync()
    {
        if (_control is { } kept)
        {
            _control = null;
            await kept.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reloads through <paramref name="control"/>; false when the connection itself failed (BIRD restarted or died), so the caller reconnects or starts BIRD. BIRD refusing the file still throws.</summary>
    private async Task<bool> TryReconfigureAsync(BirdControl control, string config, CancellationToken cancellationToken)
    {
        try
        {
            await ReconfigureAsync(control, config, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is BirdControlException or IOException or System.Net.Sockets.SocketException)
        {
            await DropKeptControlAsync().ConfigureAwait(false);
            return false;
        }
    }

    private async Task<BirdControl?> TryConnectAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(SocketPath))
        {
            return null;
        }

        try
        {
            return await BirdControl.ConnectAsync(SocketPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BirdControlException or IOException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>Restarts BIRD if it died (the refresh timer calls this); says so when it did.</summary>
    public async Task<string?> EnsureRunningAsync(CancellationToken cancellationToken)
    {
        if (_applied is null || await IsRunningAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        Log.Died(logger);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return "BIRD was not running: restarted";
    }

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        await using BirdControl? control = await TryConnectAsync(cancellationToken).ConfigureAwait(false);
        return control is not null;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        // Daemonised (no -f): BIRD outlives this process; the pid file lets `calico-lab down` and operators find it,
        // and tells the next start that BIRD died without shutting down (BirdSupervisor.Recovery.cs: `bird -R`).
        bool recovering = File.Exists(PidPath);
        var (code, output) = await RunProcess("bird", StartArguments(), cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException("BIRD did not start: " + output.Trim());
        }

        for (int i = 0; i < 50 && !await IsRunningAsync(cancellationToken).ConfigureAwait(false); i++)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        if (recovering)
        {
            Log.StartedRecovering(logger, SocketPath);
        }
        else
        {
            Log.Started(logger, SocketPath);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + program);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Information, "BIRD started, control socket {Socket}")]
        public static partial void Started(ILogger logger, string socket);

        [LoggerMessage(41, LogLevel.Information, "BIRD reconfigured: {Steps}")]
        public static partial void Reconfigured(ILogger logger, string steps);

        [LoggerMessage(42, LogLevel.Warning, "BIRD is not running; restarting it")]
        public static partial void Died(ILogger logger);

        [LoggerMessage(43, LogLevel.Information, "BIRD started in graceful-restart recovery (its previous run did not shut down cleanly), control socket {Socket}")]
        public static partial void StartedRecovering(ILogger logger, string socket);
    }
}
