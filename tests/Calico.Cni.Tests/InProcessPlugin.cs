using System.Text;
using System.Text.Json;

namespace Calico.Cni.Tests;

/// <summary>Runs the plugin's entry point in-process with an environment dictionary and stdin.</summary>
internal static class InProcessPlugin
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

        public int ErrorCode => Json.GetProperty("code").GetInt32();

        public string ErrorMessage => Json.GetProperty("msg").GetString()!;
    }

    public static async Task<Outcome> RunAsync(IReadOnlyDictionary<string, string> environment, string stdin, string programName = "calico")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CniPlugin.RunAsync(new CniInvocation(programName, environment, Encoding.UTF8.GetBytes(stdin), stdout, stderr), TimeProvider.System, CancellationToken.None);
        return new Outcome(exit, stdout.ToString(), stderr.ToString());
    }

    public static Dictionary<string, string> Env(string command, string containerId = "c0ffee0123456789", string ifName = "eth0", string? netns = "/var/run/netns/test", string? args = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = containerId,
            ["CNI_IFNAME"] = ifName,
            ["CNI_PATH"] = "/opt/cni/bin",
        };
        if (netns is not null)
        {
            env["CNI_NETNS"] = netns;
        }

        if (args is not null)
        {
            env["CNI_ARGS"] = args;
        }

        return env;
    }
}
