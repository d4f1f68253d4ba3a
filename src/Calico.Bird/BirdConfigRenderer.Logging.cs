using System.Text;

namespace Calico.Bird;

/// <summary>
/// Where BIRD logs and how much protocol tracing it writes: BGPConfiguration <c>logSeverityScreen</c> (this node's
/// <c>node.&lt;name&gt;</c> one first, then <c>default</c>, then Info), mapped as upstream's confd does:
/// Debug → every protocol traces everything; Info → state changes, and BGP sessions also their routes, filter
/// decisions and events; Warning, Error and Fatal → no tracing (BIRD's own messages are still logged).
/// </summary>
public static partial class BirdConfigRenderer
{
    /// <summary>Size at which BIRD moves its log file aside (one old file kept).</summary>
    internal const long LogFileLimitBytes = 8L * 1024 * 1024;

    /// <summary>The tracing level BIRD runs at.</summary>
    internal enum BirdDebug
    {
        None,
        Info,
        Debug,
    }

    /// <summary>
    /// The effective level. Trace counts as Debug (upstream's confd maps it to none, less than Info, which cannot
    /// be what an operator asking for Trace wants); anything else but Debug and Info is none.
    /// </summary>
    internal static BirdDebug DebugLevel(BirdInputs inputs)
    {
        var own = OwnConfig(inputs)?.Spec.LogSeverityScreen;
        var level = !string.IsNullOrEmpty(own) ? own : inputs.GlobalConfig?.Spec.LogSeverityScreen;
        return string.IsNullOrEmpty(level) ? BirdDebug.Info : level.ToUpperInvariant() switch
        {
            "DEBUG" or "TRACE" => BirdDebug.Debug,
            "INFO" => BirdDebug.Info,
            _ => BirdDebug.None,
        };
    }

    /// <summary>The <c>log</c> line and the default tracing of every protocol (before any protocol is defined).</summary>
    private static void WriteLogging(StringBuilder w, BirdInputs inputs)
    {
        if (inputs.LogFile is { } file)
        {
            var quoted = Quote(file, "LogFile");
            w.Append("log \"").Append(quoted).Append("\" ").Append(LogFileLimitBytes).Append(" \"").Append(quoted).Append(".1\" all;\n");
        }
        else
        {
            w.Append("log stderr all;\n");
        }

        switch (DebugLevel(inputs))
        {
            case BirdDebug.Debug:
                w.Append("debug protocols all; # logSeverityScreen\n");
                break;
            case BirdDebug.Info:
                w.Append("debug protocols { states }; # logSeverityScreen\n");
                break;
        }
    }

    /// <summary>The BGP template's tracing: at Info BGP sessions also trace routes, filters and events, as upstream.</summary>
    private static void WriteBgpDebug(StringBuilder w, BirdInputs inputs)
    {
        if (DebugLevel(inputs) == BirdDebug.Info)
        {
            w.Append("  debug { states, routes, filters, events };\n");
        }
    }
}
