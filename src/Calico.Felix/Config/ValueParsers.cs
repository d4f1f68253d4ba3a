using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Api;

namespace Calico.Felix.Config;

/// <summary>
/// Parsers for upstream's parameter types (<c>felix/config/param_types.go</c>). Each takes the raw text
/// (already trimmed, never empty, never "none") and returns the value or an error phrase.
/// </summary>
internal static partial class ValueParsers
{
    public static Parsed<bool> Bool(string raw) => raw.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "y" or "t" => Parsed<bool>.Success(true),
        "false" or "0" or "no" or "n" or "f" => Parsed<bool>.Success(false),
        _ => Parsed<bool>.Failure("not a boolean"),
    };

    public static Parsed<bool?> OptionalBool(string raw)
    {
        var b = Bool(raw);
        return b.Ok ? Parsed<bool?>.Success(b.Value) : Parsed<bool?>.Failure(b.Error);
    }

    public static Func<string, Parsed<int>> Int(long min = int.MinValue, long max = int.MaxValue) => raw =>
    {
        if (!TryParseGoInt(raw, out var value))
            return Parsed<int>.Failure("not an integer");
        if (value < min)
            return Parsed<int>.Failure(string.Create(CultureInfo.InvariantCulture, $"value must be at least {min}"));
        if (value > max)
            return Parsed<int>.Failure(string.Create(CultureInfo.InvariantCulture, $"value must be at most {max}"));
        return Parsed<int>.Success((int)value);
    };

    /// <summary>Go's <c>strconv.ParseInt(s, 0, 64)</c>: sign, then 0x / 0o / 0b / leading-0 octal / decimal, underscores only with a prefix.</summary>
    internal static bool TryParseGoInt(string raw, out long value)
    {
        value = 0;
        var s = raw.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.IsEmpty)
            return false;
        var radix = 10;
        if (s.Length > 1 && s[0] == '0')
        {
            switch (char.ToLowerInvariant(s[1]))
            {
                case 'x': radix = 16; s = s[2..]; break;
                case 'o': radix = 8; s = s[2..]; break;
                case 'b': radix = 2; s = s[2..]; break;
                default: radix = 8; s = s[1..]; break;
            }
        }
        if (s.IsEmpty)
            return false;
        ulong acc = 0;
        foreach (var c in s)
        {
            if (c == '_' && radix != 10)
                continue;
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
                return false;
            acc = checked(acc * (ulong)radix + (ulong)digit);
            if (acc > (ulong)long.MaxValue + 1)
                return false;
        }
        if (!negative && acc > long.MaxValue)
            return false;
        value = negative ? (long)(0 - acc) : (long)acc;
        return true;
    }

    /// <summary>
    /// Upstream's <c>seconds</c> type: a float number of seconds. The datastore carries the same parameters as
    /// Kubernetes durations (<c>1m30s</c>), so both forms are accepted from every source.
    /// </summary>
    public static Parsed<TimeSpan> Seconds(string raw) => Duration(raw, TimeSpan.TicksPerSecond);

    /// <summary>Upstream's <c>millis</c> type: a float number of milliseconds (or a duration with a unit).</summary>
    public static Parsed<TimeSpan> Millis(string raw) => Duration(raw, TimeSpan.TicksPerMillisecond);

    private static Parsed<TimeSpan> Duration(string raw, long ticksPerBareUnit)
    {
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            return ToTimeSpan(number * ticksPerBareUnit);
        return TryParseGoDuration(raw, out var ticks) ? ToTimeSpan(ticks) : Parsed<TimeSpan>.Failure("not a duration");
    }

    private static Parsed<TimeSpan> ToTimeSpan(double ticks) =>
        ticks < 0 ? Parsed<TimeSpan>.Failure("duration must not be negative")
        : ticks > TimeSpan.MaxValue.Ticks ? Parsed<TimeSpan>.Failure("duration out of range")
        : Parsed<TimeSpan>.Success(TimeSpan.FromTicks((long)Math.Round(ticks)));

    /// <summary>Go's <c>time.ParseDuration</c> (shared with the API's duration fields), in 100 ns ticks.</summary>
    internal static bool TryParseGoDuration(string raw, out double ticks)
    {
        var ok = Calico.Api.GoDuration.TryParse(raw, out var nanoseconds);
        ticks = nanoseconds / 100.0;
        return ok;
    }

    /// <summary>Upstream's <c>oneof(...)</c>: case-insensitive; the enum's member names are upstream's options.</summary>
    public static Parsed<TEnum> OneOf<TEnum>(string raw)
        where TEnum : struct, Enum
    {
        foreach (var name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, raw, StringComparison.OrdinalIgnoreCase))
                return Parsed<TEnum>.Success(Enum.Parse<TEnum>(name));
        }
        return Parsed<TEnum>.Failure("not one of " + string.Join(", ", Enum.GetNames<TEnum>()));
    }

    public static Parsed<string> AnyString(string raw) => Parsed<string>.Success(raw);

    public static Parsed<string> Hostname(string raw) =>
        HostnameRegex().IsMatch(raw) ? Parsed<string>.Success(raw) : Parsed<string>.Failure("not a valid hostname");

    public static Parsed<string> HostAddress(string raw) =>
        HostAddressRegex().IsMatch(raw) ? Parsed<string>.Success(raw) : Parsed<string>.Failure("not a valid host address");

    public static Parsed<string> Authority(string raw) =>
        AuthorityRegex().IsMatch(raw) ? Parsed<string>.Success(raw) : Parsed<string>.Failure("not a host:port");

    public static Parsed<string> IfaceParam(string raw) =>
        IfaceParamRegex().IsMatch(raw) ? Parsed<string>.Success(raw) : Parsed<string>.Failure("not a valid interface name");

    /// <summary>Upstream <c>iface-list</c>: comma-separated interface names (prefixes), 1..15 chars of [a-zA-Z0-9_-].</summary>
    public static Parsed<IReadOnlyList<string>> IfaceList(string raw) =>
        IfaceListRegex().IsMatch(raw)
            ? Parsed<IReadOnlyList<string>>.Success(raw.Split(','))
            : Parsed<IReadOnlyList<string>>.Failure("not a comma-separated list of interface names");

    /// <summary>Upstream <c>iface-list-regexp</c>: comma-separated exact names or <c>/regex/</c> elements.</summary>
    public static Parsed<IReadOnlyList<Regex>> IfaceListRegexp(string raw)
    {
        var result = new List<Regex>();
        foreach (var element in raw.Split(','))
        {
            if (element.Length > 2 && element[0] == '/' && element[^1] == '/' && !element.Any(char.IsWhiteSpace))
            {
                try
                {
                    result.Add(new Regex(element[1..^1], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
                }
                catch (ArgumentException)
                {
                    return Parsed<IReadOnlyList<Regex>>.Failure($"invalid regular expression {element}");
                }
            }
            else if (NonRegexpIfaceRegex().IsMatch(element))
            {
                result.Add(new Regex("^" + Regex.Escape(element) + "$", RegexOptions.CultureInvariant));
            }
            else
            {
                return Parsed<IReadOnlyList<Regex>>.Failure($"invalid interface name or /regex/ {element}");
            }
        }
        return Parsed<IReadOnlyList<Regex>>.Success(result);
    }

    public static Parsed<Regex?> Regexp(string raw)
    {
        try
        {
            return Parsed<Regex?>.Success(new Regex(raw, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        }
        catch (ArgumentException)
        {
            return Parsed<Regex?>.Failure("not a valid regular expression");
        }
    }

    public static Parsed<IPAddress?> Ipv4(string raw) =>
        IPAddress.TryParse(raw, out var a) && a.AddressFamily == AddressFamily.InterNetwork && raw.Count(c => c == '.') == 3
            ? Parsed<IPAddress?>.Success(a)
            : Parsed<IPAddress?>.Failure("not an IPv4 address");

    public static Parsed<IPAddress?> Ipv6(string raw) =>
        IPAddress.TryParse(raw, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6
            ? Parsed<IPAddress?>.Success(a)
            : Parsed<IPAddress?>.Failure("not an IPv6 address");

    /// <summary>Upstream <c>port-list</c>: <c>[proto:][net:]port</c>, IPv6 nets in brackets, protocol tcp/udp (default tcp).</summary>
    public static Parsed<IReadOnlyList<FailsafePort>> PortList(string raw)
    {
        var result = new List<FailsafePort>();
        foreach (var item in raw.Split(','))
        {
            var element = item.Trim(' ');
            if (element.Length == 0)
                continue;
            var protocol = "tcp";
            string? net = null;
            var open = element.IndexOf('[', StringComparison.Ordinal);
            var close = element.IndexOf("]:", StringComparison.Ordinal);
            if (open >= 0 && close > open)
            {
                net = element[(open + 1)..close];
                element = element[..open] + element[(close + 2)..];
            }
            var parts = element.Split(':');
            string portText;
            switch (parts.Length)
            {
                case 1:
                    portText = parts[0];
                    break;
                case 2:
                    protocol = parts[0].ToLowerInvariant();
                    portText = parts[1];
                    break;
                case 3:
                    protocol = parts[0].ToLowerInvariant();
                    net = parts[1];
                    portText = parts[2];
                    break;
                default:
                    return Parsed<IReadOnlyList<FailsafePort>>.Failure("ports should be <protocol>:<net>:<number> or <protocol>:<number> or <number>");
            }
            if (protocol is not ("tcp" or "udp"))
                return Parsed<IReadOnlyList<FailsafePort>>.Failure("unknown protocol: " + protocol);
            if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port))
                return Parsed<IReadOnlyList<FailsafePort>>.Failure("ports should be integers");
            if (port is < 0 or > 65535)
                return Parsed<IReadOnlyList<FailsafePort>>.Failure("ports must be in range 0-65535");
            if (net is not null)
            {
                if (Cidr.TryParse(net, out var network))
                    net = Cidr.Format(network);
                else if (IPAddress.TryParse(net, out var address))
                    net = Cidr.Format(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
                else
                    return Parsed<IReadOnlyList<FailsafePort>>.Failure("invalid CIDR or IP " + net);
            }
            result.Add(new FailsafePort(protocol, (ushort)port, net));
        }
        return Parsed<IReadOnlyList<FailsafePort>>.Success(result);
    }

    /// <summary>Upstream <c>portrange</c>: <c>n</c> or <c>min:max</c>, no named ports.</summary>
    public static Parsed<Port?> PortRange(string raw) =>
        Port.TryParse(raw, out var port, out var error) && !port.IsNamed
            ? Parsed<Port?>.Success(port)
            : Parsed<Port?>.Failure(error ?? "not a port or port range");

    public static Parsed<IReadOnlyList<Port>> PortRangeList(string raw)
    {
        var result = new List<Port>();
        foreach (var item in raw.Split(','))
        {
            var parsed = PortRange(item.Trim());
            if (!parsed.Ok)
                return Parsed<IReadOnlyList<Port>>.Failure(parsed.Error);
            result.Add(parsed.Value!);
        }
        return Parsed<IReadOnlyList<Port>>.Success(result);
    }

    /// <summary>Upstream <c>mark-bitmask</c>: a 32-bit integer (any Go base) with at least 2 bits set.</summary>
    public static Parsed<uint> MarkBitmask(string raw)
    {
        if (!TryParseGoInt(raw, out var value) || value is < 0 or > uint.MaxValue)
            return Parsed<uint>.Failure("invalid mark: should be 32-bit int");
        var mask = (uint)value;
        return uint.PopCount(mask) < 2
            ? Parsed<uint>.Failure("invalid mark: needs to have 2 bits set")
            : Parsed<uint>.Success(mask);
    }

    /// <summary>Upstream <c>endpoint-list</c>: comma-separated http(s) URLs.</summary>
    public static Parsed<IReadOnlyList<string>> EndpointList(string raw)
    {
        var result = new List<string>();
        foreach (var item in raw.Split(','))
        {
            var endpoint = item.Trim();
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || string.IsNullOrEmpty(uri.Host))
                return Parsed<IReadOnlyList<string>>.Failure($"invalid endpoint {endpoint}: should be http(s)://host:port");
            result.Add(endpoint.TrimEnd('/') + "/");
        }
        return Parsed<IReadOnlyList<string>>.Success(result);
    }

    public static Parsed<IReadOnlyList<string>> CidrList(string raw)
    {
        var result = new List<string>();
        foreach (var item in raw.Split(','))
        {
            var text = item.Trim();
            if (!Cidr.TryParse(text, out var network))
                return Parsed<IReadOnlyList<string>>.Failure($"invalid CIDR {text}");
            result.Add(Cidr.Format(network));
        }
        return Parsed<IReadOnlyList<string>>.Success(result);
    }

    /// <summary>Upstream <c>keyvaluelist</c>: <c>k=v,k2=v2</c>.</summary>
    public static Parsed<IReadOnlyDictionary<string, string>> KeyValueList(string raw)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in raw.Split(','))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                return Parsed<IReadOnlyDictionary<string, string>>.Failure($"invalid key=value pair {item.Trim()}");
            result[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return Parsed<IReadOnlyDictionary<string, string>>.Success(result.ToFrozenDictionary(StringComparer.Ordinal));
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex HostnameRegex();

    [GeneratedRegex("^[a-zA-Z0-9:._+-]{1,64}$")]
    private static partial Regex HostAddressRegex();

    [GeneratedRegex(@"^[^:/]+:\d+$")]
    private static partial Regex AuthorityRegex();

    [GeneratedRegex("^[a-zA-Z0-9:._+-]{1,15}$")]
    private static partial Regex IfaceParamRegex();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,15}(,[a-zA-Z0-9_-]{1,15})*$")]
    private static partial Regex IfaceListRegex();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,15}$")]
    private static partial Regex NonRegexpIfaceRegex();
}
