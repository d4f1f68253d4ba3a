using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>
/// Reads the network configuration. Every key it accepts has a decision in <see cref="NetConfKeys"/>: acted on,
/// refused (error 2 naming the key, the value and why), or warned about in the log (harmless here); keys a runtime
/// adds (<c>runtimeConfig</c>, <c>prevResult</c>, <c>capabilities</c>, <c>cni.dev/*</c>) are accepted; anything else,
/// and any value this plugin cannot honour, is an error naming the key and the value. JSON is read with
/// <see cref="JsonDocument"/> (no reflection: the plugin is Native AOT).
/// </summary>
internal static partial class NetConfParser
{
    private static readonly HashSet<string> s_ipamKeys = new(StringComparer.Ordinal)
    {
        "type", "subnet", "assign_ipv4", "assign_ipv6", "ipv4_pools", "ipv6_pools",
    };

    public static NetConf Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            // The same bound as every resource document; JsonDocument enforces it while reading, iteratively.
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                MaxDepth = Calico.Api.ResourceCodec.MaxDocumentDepth,
            });
        }
        catch (JsonException e) when (e.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            throw new CniException(CniErrorCodes.DecodeFailure,
                $"network configuration on stdin is not valid: nested deeper than {Calico.Api.ResourceCodec.MaxDocumentDepth} levels (line {e.LineNumber + 1})");
        }
        catch (JsonException e)
        {
            throw new CniException(CniErrorCodes.DecodeFailure, "network configuration on stdin is not valid JSON: " + e.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CniException(CniErrorCodes.DecodeFailure, $"network configuration must be a JSON object, got {Describe(root)}");
            }

            return ParseRoot(root);
        }
    }

    /// <summary>The cniVersion of a configuration that may be otherwise broken (for the error object), or null.</summary>
    public static string? TryReadVersion(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = Calico.Api.ResourceCodec.MaxDocumentDepth });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static NetConf ParseRoot(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (NetConfKeys.Find(property.Name) is null && !property.Name.StartsWith("cni.dev/", StringComparison.Ordinal))
            {
                throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported field \"{property.Name}\" = {Show(property.Value)} in network configuration");
            }
        }

        var version = String(root, "cniVersion");
        if (string.IsNullOrEmpty(version))
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "field \"cniVersion\" must be set (supported: " + string.Join(", ", CniVersions.Supported) + ")");
        }

        if (!CniVersions.IsSupported(version))
        {
            throw new CniException(CniErrorCodes.IncompatibleVersion, $"incompatible CNI versions: config is \"{version}\", plugin supports [{string.Join(", ", CniVersions.Supported)}]");
        }

        var name = String(root, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "field \"name\" (the network name) must be set");
        }

        if (!NetworkNameRegex().IsMatch(name))
        {
            throw new CniException(CniErrorCodes.InvalidConfig, $"field \"name\" = \"{name}\" is not a valid network name (letters, digits, '_', '.', '-'; starting with a letter or digit)");
        }

        var type = String(root, "type");
        if (string.IsNullOrEmpty(type))
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "field \"type\" must be set");
        }

        RequireOneOf(root, "mode", [""], "calico-node assigns tunnel addresses here, not the CNI plugin");
        RequireOneOf(root, "device_type", ["", "veth"], "only veth is supported");
        RequireOneOf(root, "etcd_discovery_srv", [""], "SRV discovery is not supported: list etcd_endpoints");
        RequireOneOf(root, "calico_api_group", [""], "only the projectcalico.org/v3 API is served");
        var policyType = RequireOneOf(root, "policy", "type", ["", "k8s"], "policy types other than k8s are not supported");
        var ignored = new List<(string Key, string Why)>();
        if (root.TryGetProperty("policy", out var policy))
        {
            foreach (var property in policy.EnumerateObject())
            {
                if (property.Name != "type" && IsSet(property.Value))
                {
                    // Upstream's older policy section carried the Kubernetes client's settings (k8s_api_root, ...).
                    ignored.Add(("policy." + property.Name, "Kubernetes API client setting; this plugin has no Kubernetes client"));
                }
            }
        }

        var queues = Int(root, "num_queues", 0, 0, 1);
        _ = queues;
        if (root.TryGetProperty("container_settings", out var settings))
        {
            ExpectKind(settings, "container_settings", JsonValueKind.Object);
            RefuseUnknownKeys(settings, "container_settings", ["allow_ip_forwarding"]);
            if (Bool(settings, "allow_ip_forwarding", "container_settings.allow_ip_forwarding", false))
            {
                throw new CniException(CniErrorCodes.UnsupportedField, "unsupported value container_settings.allow_ip_forwarding = true: containers keep ip_forward off");
            }
        }

        if (root.TryGetProperty("readiness_gates", out var gates) && gates.ValueKind == JsonValueKind.Array && gates.GetArrayLength() > 0)
        {
            throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported field \"readiness_gates\" = {Show(gates)}: readiness gates are not supported");
        }

        bool noIpam = false;
        bool floatingIps = false;
        if (root.TryGetProperty("feature_control", out var features))
        {
            ExpectKind(features, "feature_control", JsonValueKind.Object);
            RefuseUnknownKeys(features, "feature_control", ["ip_addrs_no_ipam", "floating_ips"]);
            noIpam = Bool(features, "ip_addrs_no_ipam", "feature_control.ip_addrs_no_ipam", false);
            floatingIps = Bool(features, "floating_ips", "feature_control.floating_ips", false);
        }

        var datastoreType = String(root, "datastore_type") ?? "";
        if (datastoreType is not ("" or "etcdv3" or "embedded"))
        {
            throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported value datastore_type = \"{datastoreType}\" (supported: etcdv3, embedded)");
        }

        var endpoints = String(root, "etcd_endpoints") ?? "";
        var authority = String(root, "etcd_authority") ?? "";
        if (endpoints.Length == 0 && authority.Length > 0)
        {
            // Upstream's legacy form: scheme + authority.
            endpoints = (String(root, "etcd_scheme") is { Length: > 0 } scheme ? scheme : "http") + "://" + authority;
        }

        if (datastoreType == "etcdv3" && endpoints.Length == 0)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "datastore_type is \"etcdv3\" but etcd_endpoints is not set");
        }

        foreach (var endpoint in endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value etcd_endpoints = \"{endpoints}\": \"{endpoint}\" is not an http(s) URL");
            }
        }

        var datastorePath = String(root, "datastore_path");
        if (datastorePath is { Length: > 0 } && !Path.IsPathFullyQualified(datastorePath))
        {
            throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value datastore_path = \"{datastorePath}\": must be an absolute file path");
        }

        var logLevel = ParseLogLevel(String(root, "log_level"));
        var logFile = String(root, "log_file_path");
        if (logFile is { Length: > 0 } && !Path.IsPathFullyQualified(logFile))
        {
            throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value log_file_path = \"{logFile}\": must be an absolute path");
        }

        foreach (var key in (string[])["log_file_max_size", "log_file_max_age", "log_file_max_count", "qps", "burst", "policy_setup_timeout_seconds", "vxlan_vni"])
        {
            Int(root, key, 0, 0, int.MaxValue);
        }

        foreach (var key in (string[])["include_default_routes", "windows_use_single_network", "windows_disable_default_deny_all_policy", "windows_loopback_DSR"])
        {
            Bool(root, key, key, false);
        }

        Int(root, "windows_pod_deletion_timestamp_timeout", 0, 0, int.MaxValue);
        var requireMtuFile = Bool(root, "require_mtu_file", "require_mtu_file", false);
        // Upstream's default is false (the file is required); ours stays "optional" unless the key says false.
        var nodenameFileRequired = root.TryGetProperty("nodename_file_optional", out _) && !Bool(root, "nodename_file_optional", "nodename_file_optional", true);
        var dns = ParseDns(root);

        // Refused keys fail on any value but the default; warned ones are logged by the plugin once it has its log.
        foreach (var property in root.EnumerateObject())
        {
            if (NetConfKeys.Find(property.Name) is not { } key || !IsSet(property.Value))
            {
                continue;
            }

            if (key.Status == NetConfKeyStatus.Refused)
            {
                throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported field \"{key.Name}\" = {Show(property.Value)}: {key.Why}");
            }

            if (key.Status == NetConfKeyStatus.Warned)
            {
                ignored.Add((key.Name, key.Why));
            }
        }

        var mtu = Int(root, "mtu", 0, 0, 65535);
        if (mtu is > 0 and < 68)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value mtu = {mtu}: must be 0 (calico-node's mtu file beside nodename_file) or at least 68");
        }

        var nodename = String(root, "nodename");
        var ipam = ParseIpam(root);
        var (args, _) = ParseArgs(root);
        CheckFloatingIpsEnabled(args, floatingIps);
        var runtimeIps = ParseRuntimeConfig(root);
        var (hasPrev, prevIps) = ParsePrevResult(root);
        var attachments = ParseValidAttachments(root);

        return new NetConf
        {
            CniVersion = version,
            Name = name,
            Type = type,
            Ipam = ipam,
            DatastoreType = datastoreType,
            EtcdEndpoints = endpoints,
            EtcdKeyFile = NullIfEmpty(String(root, "etcd_key_file")),
            EtcdCertFile = NullIfEmpty(String(root, "etcd_cert_file")),
            EtcdCaCertFile = NullIfEmpty(String(root, "etcd_ca_cert_file")),
            DatastorePath = NullIfEmpty(datastorePath),
            LogLevel = logLevel,
            LogFilePath = string.IsNullOrEmpty(logFile) ? NetConf.DefaultLogFilePath : logFile,
            Nodename = NullIfEmpty(nodename),
            NodenameFile = String(root, "nodename_file") is { Length: > 0 } nf ? nf : NetConf.DefaultNodenameFile,
            Hostname = NullIfEmpty(String(root, "hostname")),
            Mtu = mtu,
            IpamLockFile = String(root, "ipam_lock_file") is { Length: > 0 } lf ? lf : NetConf.DefaultIpamLockFile,
            IpAddrsNoIpamEnabled = noIpam,
            PolicyType = policyType,
            Args = args,
            RuntimeIps = runtimeIps,
            HasPrevResult = hasPrev,
            PrevResultIps = prevIps,
            ValidAttachments = attachments,
            RequireMtuFile = requireMtuFile,
            NodenameFileRequired = nodenameFileRequired,
            Dns = dns,
            Ignored = ignored,
        };
    }

    private static CniDns? ParseDns(JsonElement root)
    {
        if (!root.TryGetProperty("dns", out var dns) || dns.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        ExpectKind(dns, "dns", JsonValueKind.Object);
        RefuseUnknownKeys(dns, "dns", ["nameservers", "domain", "search", "options"]);
        var result = new CniDns
        {
            Nameservers = Strings(dns, "nameservers", "dns.nameservers"),
            Domain = NullIfEmpty(String(dns, "domain", "dns.domain")),
            Search = Strings(dns, "search", "dns.search"),
            Options = Strings(dns, "options", "dns.options"),
        };
        foreach (var server in result.Nameservers)
        {
            if (!IPAddress.TryParse(server, out _))
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value in dns.nameservers: \"{server}\" is not an IP address");
            }
        }

        return result.IsEmpty ? null : result;
    }

    private static List<string> Strings(JsonElement obj, string key, string path)
    {
        var result = new List<string>();
        if (!obj.TryGetProperty(key, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        ExpectKind(list, path, JsonValueKind.Array);
        foreach (var item in list.EnumerateArray())
        {
            ExpectKind(item, path + "[]", JsonValueKind.String);
            result.Add(item.GetString()!);
        }

        return result;
    }

    private static void RefuseUnknownKeys(JsonElement obj, string path, string[] known)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported field \"{path}.{property.Name}\" = {Show(property.Value)} ({path} takes {string.Join(", ", known)})");
            }
        }
    }

    /// <summary>Whether a value differs from "not set": null, false, 0, "", {} and [] are the defaults of every refused or warned key.</summary>
    private static bool IsSet(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => false,
        JsonValueKind.Number => !(value.TryGetDouble(out var d) && d == 0),
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.Array => value.GetArrayLength() > 0,
        _ => true,
    };

    private static IpamConf ParseIpam(JsonElement root)
    {
        if (!root.TryGetProperty("ipam", out var ipam))
        {
            return new IpamConf();
        }

        ExpectKind(ipam, "ipam", JsonValueKind.Object);
        foreach (var property in ipam.EnumerateObject())
        {
            if (!s_ipamKeys.Contains(property.Name))
            {
                throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported field \"ipam.{property.Name}\" = {Show(property.Value)} (calico-ipam takes type, assign_ipv4, assign_ipv6, ipv4_pools, ipv6_pools)");
            }
        }

        var type = String(ipam, "type", "ipam.type") ?? "";
        if (type.Length > 0 && type != "calico-ipam")
        {
            throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported value ipam.type = \"{type}\" (supported: calico-ipam)");
        }

        if (String(ipam, "subnet", "ipam.subnet") is { Length: > 0 } subnet && subnet != "usePodCidr")
        {
            throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported value ipam.subnet = \"{subnet}\" (host-local only; use ipv4_pools)");
        }

        var v4 = TrueFalse(ipam, "assign_ipv4", true);
        var v6 = TrueFalse(ipam, "assign_ipv6", false);
        if (!v4 && !v6)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "ipam.assign_ipv4 and ipam.assign_ipv6 are both \"false\": nothing to assign");
        }

        return new IpamConf
        {
            Type = type,
            AssignIpv4 = v4,
            AssignIpv6 = v6,
            IPv4Pools = Pools(ipam, "ipv4_pools", "ipam.ipv4_pools", AddressFamily.InterNetwork) ?? [],
            IPv6Pools = Pools(ipam, "ipv6_pools", "ipam.ipv6_pools", AddressFamily.InterNetworkV6) ?? [],
        };
    }

    private static (CniArgsConf Args, bool Present) ParseArgs(JsonElement root)
    {
        if (!root.TryGetProperty("args", out var args))
        {
            return (new CniArgsConf(), false);
        }

        ExpectKind(args, "args", JsonValueKind.Object);
        if (!args.TryGetProperty("cni", out var cni))
        {
            return (new CniArgsConf(), true);
        }

        ExpectKind(cni, "args.cni", JsonValueKind.Object);
        var labels = new List<KeyValuePair<string, string>>();
        if (cni.TryGetProperty("labels", out var labelList))
        {
            ExpectKind(labelList, "args.cni.labels", JsonValueKind.Array);
            int i = 0;
            foreach (var item in labelList.EnumerateArray())
            {
                var path = $"args.cni.labels[{i++}]";
                ExpectKind(item, path, JsonValueKind.Object);
                var key = String(item, "key", path + ".key");
                if (string.IsNullOrEmpty(key))
                {
                    throw new CniException(CniErrorCodes.InvalidConfig, $"{path}.key must be set (labels are a list of {{\"key\", \"value\"}})");
                }

                labels.Add(new(key, String(item, "value", path + ".value") ?? ""));
            }
        }

        var ports = new List<NamedPort>();
        if (cni.TryGetProperty("ports", out var portList))
        {
            ExpectKind(portList, "args.cni.ports", JsonValueKind.Array);
            int i = 0;
            foreach (var item in portList.EnumerateArray())
            {
                var path = $"args.cni.ports[{i++}]";
                ExpectKind(item, path, JsonValueKind.Object);
                var portName = String(item, "name", path + ".name");
                if (string.IsNullOrEmpty(portName))
                {
                    throw new CniException(CniErrorCodes.InvalidConfig, $"{path}.name must be set (named ports are {{\"name\", \"protocol\", \"port\"}})");
                }

                var protocol = (String(item, "protocol", path + ".protocol") ?? "TCP").ToUpperInvariant();
                if (protocol is not ("TCP" or "UDP" or "SCTP"))
                {
                    throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value {path}.protocol = \"{protocol}\" (TCP, UDP or SCTP)");
                }

                var port = Int(item, "port", 0, 1, 65535, path + ".port");
                if (port == 0)
                {
                    throw new CniException(CniErrorCodes.InvalidConfig, $"{path}.port must be set (1-65535)");
                }

                ports.Add(new NamedPort(portName, protocol, (ushort)port));
            }
        }

        var noIpam = Addresses(cni, "ipAddrsNoIpam", "args.cni.ipAddrsNoIpam", false);
        var ipAddrs = Addresses(cni, "ipAddrs", "args.cni.ipAddrs", false);
        return (new CniArgsConf
        {
            Labels = labels,
            Ports = ports,
            Ips = Addresses(cni, "ips", "args.cni.ips", true),
            IpAddrs = ipAddrs,
            IpAddrsNoIpam = noIpam,
            IPv4Pools = Pools(cni, "ipv4pools", "args.cni.ipv4pools", AddressFamily.InterNetwork),
            IPv6Pools = Pools(cni, "ipv6pools", "args.cni.ipv6pools", AddressFamily.InterNetworkV6),
            FloatingIps = FloatingIpList(cni),
            AllowedSourcePrefixes = AllowedSourcePrefixList(cni),
        }, true);
    }

    private static List<IPAddress> ParseRuntimeConfig(JsonElement root)
    {
        if (!root.TryGetProperty("runtimeConfig", out var runtime) && !root.TryGetProperty("runtime_config", out runtime))
        {
            return [];
        }

        ExpectKind(runtime, "runtimeConfig", JsonValueKind.Object);
        return Addresses(runtime, "ips", "runtimeConfig.ips", true);
    }

    private static (bool, List<IPNetwork>) ParsePrevResult(JsonElement root)
    {
        if (!root.TryGetProperty("prevResult", out var prev) || prev.ValueKind == JsonValueKind.Null)
        {
            return (false, []);
        }

        ExpectKind(prev, "prevResult", JsonValueKind.Object);
        var result = new List<IPNetwork>();
        if (prev.TryGetProperty("ips", out var ips) && ips.ValueKind == JsonValueKind.Array)
        {
            foreach (var ip in ips.EnumerateArray())
            {
                if (ip.ValueKind == JsonValueKind.Object && String(ip, "address", "prevResult.ips[].address") is { } text)
                {
                    if (!IPNetwork.TryParse(text, out var network))
                    {
                        throw new CniException(CniErrorCodes.DecodeFailure, $"invalid value prevResult.ips[].address = \"{text}\"");
                    }

                    result.Add(network);
                }
            }
        }

        return (true, result);
    }

    private static List<(string, string)>? ParseValidAttachments(JsonElement root)
    {
        if (!root.TryGetProperty("cni.dev/valid-attachments", out var list))
        {
            return null;
        }

        ExpectKind(list, "cni.dev/valid-attachments", JsonValueKind.Array);
        var result = new List<(string, string)>();
        foreach (var item in list.EnumerateArray())
        {
            ExpectKind(item, "cni.dev/valid-attachments[]", JsonValueKind.Object);
            result.Add((String(item, "containerID", "cni.dev/valid-attachments[].containerID") ?? "", String(item, "ifname", "cni.dev/valid-attachments[].ifname") ?? ""));
        }

        return result;
    }

    private static LogLevel ParseLogLevel(string? text) => (text ?? "").ToLowerInvariant() switch
    {
        "" or "info" => LogLevel.Information,
        "debug" => LogLevel.Debug,
        "trace" => LogLevel.Trace,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" or "panic" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported value log_level = \"{text}\" (debug, info, warning, error, fatal, none)"),
    };

    private static List<IPAddress> Addresses(JsonElement obj, string key, string path, bool allowPrefix)
    {
        var result = new List<IPAddress>();
        if (!obj.TryGetProperty(key, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        ExpectKind(list, path, JsonValueKind.Array);
        foreach (var item in list.EnumerateArray())
        {
            ExpectKind(item, path + "[]", JsonValueKind.String);
            var text = item.GetString()!;
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var addressText = allowPrefix && slash >= 0 ? text[..slash] : text;
            if (!IPAddress.TryParse(addressText, out var address) || (allowPrefix && slash >= 0 && !IPNetwork.TryParse(text, out _)))
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value in {path}: \"{text}\" is not an IP address");
            }

            result.Add(address);
        }

        return result;
    }

    private static List<string>? Pools(JsonElement obj, string key, string path, AddressFamily family)
    {
        if (!obj.TryGetProperty(key, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        ExpectKind(list, path, JsonValueKind.Array);
        var result = new List<string>();
        foreach (var item in list.EnumerateArray())
        {
            ExpectKind(item, path + "[]", JsonValueKind.String);
            var pool = item.GetString()!;
            if (pool.Contains('/', StringComparison.Ordinal) || IPAddress.TryParse(pool, out _))
            {
                if (!IPNetwork.TryParse(pool, out var network) || network.BaseAddress.AddressFamily != family)
                {
                    throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value in {path}: \"{pool}\" is not an IPv{(family == AddressFamily.InterNetwork ? 4 : 6)} CIDR or pool name");
                }
            }
            else if (pool.Length == 0)
            {
                throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value in {path}: empty pool name");
            }

            result.Add(pool);
        }

        return result;
    }

    private static bool TrueFalse(JsonElement ipam, string key, bool fallback)
    {
        if (!ipam.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when value.GetString() is "true" => true,
            JsonValueKind.String when value.GetString() is "false" => false,
            _ => throw new CniException(CniErrorCodes.InvalidConfig, $"invalid value ipam.{key} = {Show(value)} (\"true\" or \"false\")"),
        };
    }

    private static string RequireOneOf(JsonElement root, string key, string[] allowed, string why) =>
        RequireOneOf(root, key, null, allowed, why);

    private static string RequireOneOf(JsonElement root, string key, string? subKey, string[] allowed, string why)
    {
        var obj = root;
        var path = key;
        if (subKey is not null)
        {
            if (!root.TryGetProperty(key, out obj))
            {
                return "";
            }

            ExpectKind(obj, key, JsonValueKind.Object);
            path = key + "." + subKey;
            key = subKey;
        }

        var value = String(obj, key, path) ?? "";
        if (Array.IndexOf(allowed, value) < 0)
        {
            throw new CniException(CniErrorCodes.UnsupportedField, $"unsupported value {path} = \"{value}\": {why}");
        }

        return value;
    }

    private static string? String(JsonElement obj, string key, string? path = null)
    {
        if (!obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        ExpectKind(value, path ?? key, JsonValueKind.String);
        return value.GetString();
    }

    private static bool Bool(JsonElement obj, string key, string path, bool fallback)
    {
        if (!obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new CniException(CniErrorCodes.DecodeFailure, $"field \"{path}\" must be a boolean, got {Show(value)}");
        }

        return value.GetBoolean();
    }

    private static int Int(JsonElement obj, string key, int fallback, int min, int max, string? path = null)
    {
        path ??= key;
        if (!obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n))
        {
            throw new CniException(CniErrorCodes.DecodeFailure, $"field \"{path}\" must be an integer, got {Show(value)}");
        }

        if (n < min || n > max)
        {
            throw new CniException(key is "num_queues" ? CniErrorCodes.UnsupportedField : CniErrorCodes.InvalidConfig,
                $"invalid value {path} = {n.ToString(CultureInfo.InvariantCulture)} (allowed {min.ToString(CultureInfo.InvariantCulture)}-{max.ToString(CultureInfo.InvariantCulture)})");
        }

        return n;
    }

    private static void ExpectKind(JsonElement value, string path, JsonValueKind kind)
    {
        if (value.ValueKind != kind)
        {
            var expected = kind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "a list",
                JsonValueKind.String => "a string",
                _ => kind.ToString().ToLowerInvariant(),
            };
            throw new CniException(CniErrorCodes.DecodeFailure, $"field \"{path}\" must be {expected}, got {Show(value)}");
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string Show(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length > 80 ? raw[..77] + "..." : raw;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$")]
    private static partial Regex NetworkNameRegex();
}
