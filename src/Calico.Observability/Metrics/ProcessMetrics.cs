using System.Globalization;

namespace Calico.Observability.Metrics;

/// <summary>
/// The standard <c>process_*</c> families under the names Prometheus' Go client (and so upstream Felix) exposes,
/// read from <c>/proc/self</c> at scrape time as Go's process collector does, plus the runtime's own families
/// (<c>dotnet_*</c>) where upstream exposes <c>go_*</c>. Linux only; a scrape that cannot read procfs fails with
/// 500 rather than lie.
/// </summary>
public static class ProcessMetrics
{
    // Go's procfs assumes USER_HZ = 100 (sysconf(_SC_CLK_TCK) on every Linux architecture .NET runs on).
    private const double TicksPerSecond = 100;

    /// <summary>Registers the process and runtime families on <paramref name="registry"/>; dispose to remove them.</summary>
    public static IDisposable Register(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        CollectedMetricFamily[] families =
        [
            new("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", CollectedMetricType.Counter),
            new("process_open_fds", "Number of open file descriptors.", CollectedMetricType.Gauge),
            new("process_max_fds", "Maximum number of open file descriptors.", CollectedMetricType.Gauge),
            new("process_virtual_memory_bytes", "Virtual memory size in bytes.", CollectedMetricType.Gauge),
            new("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", CollectedMetricType.Gauge),
            new("process_resident_memory_bytes", "Resident memory size in bytes.", CollectedMetricType.Gauge),
            new("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", CollectedMetricType.Gauge),
            new("process_num_threads", "Total number of threads.", CollectedMetricType.Gauge),
            new("dotnet_info", "Information about the .NET runtime.", CollectedMetricType.Gauge, "version"),
            new("dotnet_collection_count_total", "GC collection count", CollectedMetricType.Counter, "generation"),
            new("dotnet_total_memory_bytes", "Total known allocated memory", CollectedMetricType.Gauge),
            new("dotnet_gc_heap_size_bytes", "Bytes of the managed heap after the last garbage collection, fragmentation included.", CollectedMetricType.Gauge),
            new("dotnet_gc_allocated_bytes_total", "Total bytes allocated on the managed heap since the process started.", CollectedMetricType.Counter),
            new("dotnet_gc_pause_seconds_total", "Total time the garbage collector has paused the process, in seconds.", CollectedMetricType.Counter),
            new("dotnet_threadpool_threads", "Number of thread pool threads.", CollectedMetricType.Gauge),
        ];
        return registry.RegisterCollector(families, Collect);
    }

    private static List<MetricSample> Collect()
    {
        ProcStat stat = ProcStat.ReadSelf();
        var samples = new List<MetricSample>(20)
        {
            new("process_cpu_seconds_total", (stat.UserTicks + stat.SystemTicks) / TicksPerSecond),
            new("process_open_fds", Directory.GetFileSystemEntries("/proc/self/fd").Length),
            new("process_max_fds", ReadLimit("Max open files")),
            new("process_virtual_memory_bytes", stat.VirtualBytes),
            new("process_virtual_memory_max_bytes", ReadLimit("Max address space")),
            new("process_resident_memory_bytes", stat.ResidentPages * (double)Environment.SystemPageSize),
            new("process_start_time_seconds", BootTimeSeconds() + (stat.StartTicks / TicksPerSecond)),
            new("process_num_threads", stat.Threads),
            new("dotnet_info", 1, [Environment.Version.ToString()]),
        };
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            samples.Add(new MetricSample("dotnet_collection_count_total", GC.CollectionCount(generation), [generation.ToString(CultureInfo.InvariantCulture)]));
        }

        samples.Add(new MetricSample("dotnet_total_memory_bytes", GC.GetTotalMemory(forceFullCollection: false)));
        samples.Add(new MetricSample("dotnet_gc_heap_size_bytes", GC.GetGCMemoryInfo().HeapSizeBytes));
        samples.Add(new MetricSample("dotnet_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes(precise: false)));
        samples.Add(new MetricSample("dotnet_gc_pause_seconds_total", GC.GetTotalPauseDuration().TotalSeconds));
        samples.Add(new MetricSample("dotnet_threadpool_threads", ThreadPool.ThreadCount));
        return samples;
    }

    /// <summary>A soft limit from /proc/self/limits; "unlimited" is 2^64-1, as Go's procfs reports it.</summary>
    private static double ReadLimit(string name)
    {
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                string soft = line[name.Length..].TrimStart().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? ulong.MaxValue : double.Parse(soft, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException("/proc/self/limits has no \"" + name + "\" line");
    }

    private static double BootTimeSeconds()
    {
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException("/proc/stat has no btime line");
    }
}
