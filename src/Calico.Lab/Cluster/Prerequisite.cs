namespace Calico.Lab.Cluster;

/// <summary>Programs the lab runs from the system (etcd, bird, birdc), found on PATH.</summary>
public static class Prerequisite
{
    /// <summary>The program's path; a <see cref="LabException"/> naming how to install it.</summary>
    public static string Find(string binary, string hint)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new LabException($"{binary} not found on PATH: {hint}");
    }
}
