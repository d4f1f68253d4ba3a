using System.Security.Cryptography;
using System.Text.Json;

namespace Calico.TestKit;

/// <summary>
/// A named network namespace (<c>ip netns add calt-…</c>) for one test, deleted on dispose whatever the test did;
/// everything inside it (veths, routes, sysctls) goes with it. Never touches the machine's own namespace.
/// </summary>
public sealed class NetnsScope : IDisposable
{
    private bool _disposed;

    public NetnsScope(string prefix = "calt")
    {
        IpTool.RequireRootTier();
        Name = $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        IpTool.Run("netns", "add", Name);
        try
        {
            IpTool.Run("-n", Name, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The bind-mounted namespace file, what setns and the library take.</summary>
    public string Path => "/var/run/netns/" + Name;

    /// <summary>A unique name usable for interfaces (at most 15 characters).</summary>
    public static string UniqueInterfaceName(string prefix) =>
        (prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))[..Math.Min(15, prefix.Length + 12)];

    /// <summary>Runs <c>ip -n name args…</c> in this namespace.</summary>
    public string Ip(params string[] arguments) => IpTool.Run(["-n", Name, .. arguments]);

    /// <summary>Runs <c>ip netns exec name ip -j args…</c> and parses the JSON.</summary>
    public JsonElement IpJson(params string[] arguments)
    {
        string output = IpTool.Run(["netns", "exec", Name, "ip", "-j", .. arguments]);
        if (string.IsNullOrWhiteSpace(output))
        {
            return JsonDocument.Parse("[]").RootElement;
        }

        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>Runs a program inside the namespace (<c>ip netns exec name program args…</c>).</summary>
    public (int ExitCode, string Output, string Error) Exec(string program, params string[] arguments) =>
        IpTool.TryRun(["netns", "exec", Name, program, .. arguments]);

    /// <summary>Reads a sysctl inside the namespace.</summary>
    public string Sysctl(string key)
    {
        (int exit, string output, string error) = Exec("cat", "/proc/sys/" + key.Replace('.', '/'));
        return exit == 0 ? output.Trim() : throw new InvalidOperationException($"sysctl {key} in {Name}: {error}");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        (int exit, _, string error) = IpTool.TryRun("netns", "del", Name);
        if (exit != 0 && File.Exists(Path))
        {
            throw new InvalidOperationException($"could not delete netns {Name}: {error}");
        }
    }
}
