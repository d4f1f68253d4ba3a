using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Calico.Api;
using Calico.Ipam;

namespace Calico.Ctl.Commands;

/// <summary>The work behind <c>calicoctl ipam</c>: reads through <see cref="IpamClient"/>, prints as upstream.</summary>
internal sealed partial class IpamRunner(CtlContext context, string? configPath)
{
    private TextWriter Out => context.Out;

    private IpamClient Open()
    {
        var client = context.OpenClient(configPath);
        return new IpamClient(client.Store, context.Time);
    }

    public async Task<int> ShowAsync(string? ip, bool showBlocks, bool showConfiguration, CancellationToken ct)
    {
        var ipam = Open();
        if (showConfiguration)
        {
            var config = await ipam.GetConfigAsync(ct).ConfigureAwait(false);
            Out.Write(BoxTable.Render(["PROPERTY", "VALUE"], [
                ["StrictAffinity", GoBool(config.StrictAffinity)],
                ["AutoAllocateBlocks", GoBool(config.AutoAllocateBlocks)],
                ["MaxBlocksPerHost", config.MaxBlocksPerHost.ToString(CultureInfo.InvariantCulture)],
                ["KubeVirtVMAddressPersistence", config.KubeVirtVMAddressPersistence is { } p ? "\"" + p + "\"" : "<nil>"],
                ["IPCooldownSeconds", config.IpCooldownSeconds.ToString(CultureInfo.InvariantCulture)],
            ], rightAligned: []));
            return 0;
        }

        if (ip is not null)
        {
            var address = ParseIp(ip);
            var alloc = await ipam.GetAllocationAsync(address, ct).ConfigureAwait(false);
            if (alloc is null || alloc.InCooldown)
            {
                Out.WriteLine($"{address} is not assigned");
                return 0;
            }

            Out.WriteLine($"IP {address} is in use");
            Out.WriteLine(alloc.HandleId is { } h ? "Handle ID: " + h : "Handle ID: <none>");
            if (alloc.Attributes.Count == 0)
            {
                Out.WriteLine("No Active Owner attributes defined");
            }
            else
            {
                Out.WriteLine("Active Owner Attributes:");
                foreach (var key in alloc.Attributes.Keys.Order(StringComparer.Ordinal))
                {
                    Out.WriteLine($"  {key}: {alloc.Attributes[key]}");
                }
            }

            return 0;
        }

        var pools = await ipam.ListPoolsAsync(ct).ConfigureAwait(false);
        var blocks = await ipam.ListBlockInfosAsync(ct).ConfigureAwait(false);
        var reserved = await ReservedCidrsAsync(ct).ConfigureAwait(false);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var pool in pools)
        {
            var inPool = blocks.Where(b => b.Cidr.BaseAddress.AddressFamily == pool.Cidr.BaseAddress.AddressFamily && pool.Cidr.Contains(b.Cidr.BaseAddress)).ToList();
            double capacity = Math.Pow(2, (pool.IsV6 ? 128 : 32) - pool.Cidr.PrefixLength);
            long inUse = inPool.Sum(b => (long)b.Allocations.Count(a => !a.InCooldown));
            double reservedCount = CountReserved(pool.Cidr, reserved);
            double free = capacity - inPool.Sum(b => (double)(b.Size - b.Free)) - UnclaimedReserved(pool, inPool, reserved);
            rows.Add(Row("IP Pool", pool.CidrText, capacity, inUse, reservedCount, free));
            if (showBlocks)
            {
                foreach (var b in inPool)
                {
                    rows.Add(Row("Block", Cidr.Format(b.Cidr), b.Size, b.Allocations.Count(a => !a.InCooldown), CountReserved(b.Cidr, reserved), b.Free));
                }
            }
        }

        Out.Write(BoxTable.Render(["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS RESERVED", "IPS FREE"], rows, rightAligned: [2, 3, 4, 5]));
        return 0;
    }

    public async Task<int> ReleaseAsync(string ip, CancellationToken ct)
    {
        var address = ParseIp(ip);
        var notAllocated = await Open().ReleaseIpsAsync([address], ct).ConfigureAwait(false);
        if (notAllocated.Count != 0)
        {
            throw new CtlException($"Error: {address} is not assigned");
        }

        Out.WriteLine($"Successfully released IP address {address}");
        return 0;
    }

    public async Task<int> ConfigureAsync(string? strict, string? maxBlocks, string? cooldown, CancellationToken ct)
    {
        if (strict is null && maxBlocks is null && cooldown is null)
        {
            throw new CtlException("at least one configuration option must be specified");
        }

        var ipam = Open();
        var config = await ipam.GetConfigAsync(ct).ConfigureAwait(false);
        if (strict is not null)
        {
            config = config with
            {
                StrictAffinity = strict.ToLowerInvariant() switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new CtlException("invalid value. Use true or false to set strictaffinity"),
                },
            };
        }

        if (maxBlocks is not null)
        {
            if (!int.TryParse(maxBlocks, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                throw new CtlException("invalid value for maxblockhost. Use a valid number");
            }

            config = config with { MaxBlocksPerHost = n };
        }

        if (cooldown is not null)
        {
            if (!int.TryParse(cooldown, NumberStyles.None, CultureInfo.InvariantCulture, out int s))
            {
                throw new CtlException("invalid value for ip-cooldown-seconds. Use a valid number");
            }

            config = config with { IpCooldownSeconds = s };
        }

        try
        {
            await ipam.SetConfigAsync(config, ct).ConfigureAwait(false);
        }
        catch (IpamException e)
        {
            throw new CtlException("error: " + e.Message);
        }

        if (strict is not null)
        {
            Out.WriteLine("Successfully set StrictAffinity to: " + GoBool(config.StrictAffinity));
        }

        if (maxBlocks is not null)
        {
            Out.WriteLine("Successfully set MaxBlocksPerHost to: " + config.MaxBlocksPerHost.ToString(CultureInfo.InvariantCulture));
        }

        if (cooldown is not null)
        {
            Out.WriteLine("Successfully set IPCooldownSeconds to: " + config.IpCooldownSeconds.ToString(CultureInfo.InvariantCulture));
        }

        return 0;
    }

    public async Task<int> CheckAsync(string? reportPath, bool showAll, bool showProblems, CancellationToken ct)
    {
        var ipam = Open();
        var resources = context.OpenClient(configPath);
        Out.WriteLine("Checking IPAM for inconsistencies...");
        Out.WriteLine();
        var clusterInfo = await resources.GetAsync(ResourceKinds.ClusterInformation, null, "default", ct).ConfigureAwait(false) as ClusterInformation;

        Out.WriteLine("Loading all IPAM blocks...");
        var blocks = await ipam.ListBlockInfosAsync(ct).ConfigureAwait(false);
        Out.WriteLine($"Found {blocks.Count} IPAM blocks.");
        var allocations = new Dictionary<string, List<AllocationInfo>>(StringComparer.Ordinal);
        var blockOfAllocation = new Dictionary<AllocationInfo, BlockInfo>();
        foreach (var b in blocks)
        {
            Out.WriteLine($" IPAM block {Cidr.Format(b.Cidr)} affinity={b.Affinity ?? "<none>"}:");
            foreach (var a in b.Allocations)
            {
                string key = a.Address.ToString();
                if (!allocations.TryGetValue(key, out var list))
                {
                    allocations[key] = list = [];
                }

                list.Add(a);
                blockOfAllocation[a] = b;
                if (showAll)
                {
                    Out.WriteLine($"  {key} allocated; attrs {AttrString(a)}");
                }
            }
        }

        Out.WriteLine($"IPAM blocks record {allocations.Values.Sum(l => l.Count)} allocations.");
        Out.WriteLine();

        Out.WriteLine("Loading all IPAM pools...");
        var pools = (await ipam.ListPoolsAsync(ct).ConfigureAwait(false)).Where(p => !p.Disabled).ToList();
        foreach (var p in pools)
        {
            Out.WriteLine($"  {p.CidrText}");
        }

        Out.WriteLine($"Found {pools.Count} active IP pools.");
        Out.WriteLine();

        Out.WriteLine("Loading all nodes.");
        var scan = await ScanInUseAsync(resources, ct).ConfigureAwait(false);
        var inUse = scan.Owners;
        Out.WriteLine($"Found {scan.TunnelIps} node tunnel IPs.");
        Out.WriteLine();

        Out.WriteLine("Loading all workload endpoints.");
        Out.WriteLine($"Found {scan.WorkloadIps} workload IPs.");
        Out.WriteLine($"Workloads and nodes are using {inUse.Count} IPs.");
        Out.WriteLine();

        Out.WriteLine("Loading all handles");
        var handles = await ipam.ListHandlesAsync(ct).ConfigureAwait(false);
        Out.WriteLine();

        Out.WriteLine("Scanning for IPs that are allocated but not actually in use...");
        var leaked = new List<string>();
        foreach (var (ip, allocs) in allocations.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (inUse.ContainsKey(ip) || allocs.Exists(a => a.InCooldown))
            {
                continue;
            }

            if (showProblems)
            {
                foreach (var a in allocs)
                {
                    Out.WriteLine($"  {ip} leaked; attrs {AttrString(a)}");
                }
            }

            leaked.Add(ip);
        }

        Out.WriteLine($"Found {leaked.Count} IPs that are allocated in IPAM but not actually in use.");

        Out.WriteLine("Scanning for IPs that are in use by a workload or node but not allocated in IPAM...");
        int notInPool = 0;
        int notAllocated = 0;
        foreach (var (ip, owners) in inUse.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (owners.Count > 1 && showProblems)
            {
                Out.WriteLine($"  {ip} has multiple owners.");
            }

            if (allocations.ContainsKey(ip))
            {
                continue;
            }

            var address = IPAddress.Parse(ip);
            if (!pools.Exists(p => p.Cidr.Contains(address)))
            {
                notInPool++;
                if (showProblems)
                {
                    Out.WriteLine($"  {ip} in use by [{string.Join(' ', owners)}] is not in any active IP pool.");
                }
            }
            else
            {
                notAllocated++;
                if (showProblems)
                {
                    Out.WriteLine($"  {ip} in use by [{string.Join(' ', owners)}] and in active IPAM pool but has no IPAM allocation.");
                }
            }
        }

        Out.WriteLine($"Found {notInPool} in-use IPs that are not in active IP pools.");
        Out.WriteLine($"Found {notAllocated} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.");
        Out.WriteLine();

        Out.WriteLine("Scanning for IPAM handles with no matching IPs...");
        var handlesInBlocks = new HashSet<string>(allocations.Values.SelectMany(l => l).Where(a => a.HandleId is not null && !a.InCooldown).Select(a => a.HandleId!), StringComparer.Ordinal);
        var leakedHandles = new List<string>();
        foreach (var handle in handles.Keys)
        {
            if (!handlesInBlocks.Contains(handle))
            {
                leakedHandles.Add(handle);
                if (showProblems)
                {
                    Out.WriteLine($"  {handle} doesn't have any active IPs.");
                }
            }
        }

        Out.WriteLine($"Found {leakedHandles.Count} handles with no matching IPs (and {handles.Count - leakedHandles.Count} handles with matches).");
        Out.WriteLine("Scanning for IPs with missing handle...");
        var missingHandles = new List<string>();
        foreach (var handle in handlesInBlocks.Order(StringComparer.Ordinal))
        {
            if (!handles.ContainsKey(handle))
            {
                missingHandles.Add(handle);
                if (showProblems)
                {
                    Out.WriteLine($"  {handle} is in use in a block but doesn't exist.");
                }
            }
        }

        Out.WriteLine($"Found {missingHandles.Count} handles mentioned in blocks with no matching handle resource.");
        int problems = leaked.Count + notInPool + notAllocated + leakedHandles.Count + missingHandles.Count;
        Out.WriteLine($"Check complete; found {problems} problems.");

        if (reportPath is not null)
        {
            var handleRevisions = await ipam.ListHandleRevisionsAsync(ct).ConfigureAwait(false);
            await File.WriteAllBytesAsync(reportPath, Report(clusterInfo, allocations, inUse, blockOfAllocation, leakedHandles, handleRevisions), ct).ConfigureAwait(false);
        }

        return 0;
    }

    private static string AttrString(AllocationInfo a)
    {
        var sb = new StringBuilder("Main:");
        sb.Append(a.Attributes.TryGetValue("namespace", out var ns) && a.Attributes.TryGetValue("pod", out var pod) ? $"{ns}/{pod}" : a.HandleId ?? "<none>");
        return sb.ToString();
    }

    private async Task<List<IPNetwork>> ReservedCidrsAsync(CancellationToken ct)
    {
        var (items, _) = await context.OpenClient(configPath).ListAsync(ResourceKinds.IPReservation, null, ct).ConfigureAwait(false);
        var result = new List<IPNetwork>();
        foreach (var r in items)
        {
            if (r is IPReservation res)
            {
                foreach (var text in res.Spec.ReservedCIDRs ?? [])
                {
                    if (Cidr.TryParse(text, out var net))
                    {
                        result.Add(net);
                    }
                }
            }
        }

        return result;
    }

    private static double CountReserved(IPNetwork within, List<IPNetwork> reserved)
    {
        double n = 0;
        foreach (var r in reserved)
        {
            if (!Cidr.Overlaps(r, within))
            {
                continue;
            }

            int bits = within.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
            n += Math.Pow(2, bits - Math.Max(r.PrefixLength, within.PrefixLength));
        }

        return n;
    }

    /// <summary>Reserved addresses that lie in no block yet: not free either.</summary>
    private static double UnclaimedReserved(Pool pool, List<BlockInfo> blocks, List<IPNetwork> reserved)
    {
        double inBlocks = 0;
        foreach (var b in blocks)
        {
            inBlocks += CountReserved(b.Cidr, reserved);
        }

        return Math.Max(0, CountReserved(pool.Cidr, reserved) - inBlocks);
    }

    private static List<string> Row(string kind, string cidr, double capacity, double inUse, double reserved, double free)
    {
        string Pct(double n) => $"{GoG5(n)} ({GoPercent(100 * n / capacity)}%)";
        return [kind, cidr, GoG5(capacity), Pct(inUse), Pct(reserved), Pct(free)];
    }

    /// <summary>Go's <c>%.5g</c>.</summary>
    internal static string GoG5(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        double rounded = double.Parse(value.ToString("E4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        exponent = (int)Math.Floor(Math.Log10(Math.Abs(rounded)));
        if (exponent < -4 || exponent >= 5)
        {
            string mantissa = (rounded / Math.Pow(10, exponent)).ToString("0.####", CultureInfo.InvariantCulture);
            return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        return rounded.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's <c>%.f</c> (round half to even).</summary>
    private static string GoPercent(double value) =>
        Math.Round(value, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture);

    private static string GoBool(bool value) => value ? "true" : "false";

    private static IPAddress ParseIp(string text) =>
        Cidr.TryParseAddress(text, out var address) ? address : throw new CtlException($"Invalid IP address specified: {text}");
}
