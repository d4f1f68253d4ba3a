using Calico.Linux;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// The <c>rp_filter</c> value for workload interfaces, as upstream's int_dataplane chooses it: the host's own
/// <c>net.ipv4.conf.default.rp_filter</c>, read once at start, strict (1) when it cannot be read. Anti-spoofing does
/// not rest on it: the table's raw-PREROUTING reverse-path check drops a spoofed source before conntrack whatever the
/// sysctl says, so on a host whose default is 0 a workload packet no longer pays a second reverse-path lookup in the
/// kernel's routing (the cross-host connection rate of bench/README.md measured that lookup).
/// </summary>
public static partial class HostRpFilterDefault
{
    /// <summary>The sysctl read, relative to /proc/sys.</summary>
    public const string Key = "net/ipv4/conf/default/rp_filter";

    /// <summary>Upstream's fallback when the host's default cannot be read.</summary>
    public const string Strict = "1";

    /// <summary>The value for workload interfaces from the text of the host's default; null unless it is 0, 1 or 2.</summary>
    public static string? FromHostDefault(string? text) => text is "0" or "1" or "2" ? text : null;

    /// <summary>Reads the default in the calling thread's network namespace; <see cref="Strict"/> (and a warning) when it cannot.</summary>
    public static string Read(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!Sysctl.TryRead(Key, out string? text, out int errno))
        {
            Log.Unreadable(logger, Key, errno);
            return Strict;
        }

        string? value = FromHostDefault(text);
        if (value is null)
        {
            Log.Unexpected(logger, Key, text);
            return Strict;
        }

        return value;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2220, Level = LogLevel.Warning, Message = "Could not read {Key} (errno {Errno}): workload interfaces get rp_filter 1 (strict), as upstream")]
        public static partial void Unreadable(ILogger logger, string key, int errno);

        [LoggerMessage(EventId = 2221, Level = LogLevel.Warning, Message = "{Key} is '{Value}', not 0, 1 or 2: workload interfaces get rp_filter 1 (strict)")]
        public static partial void Unexpected(ILogger logger, string key, string value);
    }
}
