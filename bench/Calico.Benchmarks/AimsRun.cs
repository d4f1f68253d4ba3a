namespace Calico.Benchmarks;

/// <summary>
/// <c>aims</c>: every bench that measures a figure of issue 17 against its aim, in one process and in this order:
/// dataplane-packets, cni, routing (all parts unless <c>ROUTING_PARTS</c> says otherwise), dataplane-control without
/// its cold starts (<c>DATAPLANE_CONTROL_COLD_START=0</c> unless set). <see cref="AimReport"/>'s table follows, as
/// after every mode. Root, iperf3, bird and the Native AOT build (<c>./build.sh</c>); about 25 minutes.
/// </summary>
internal static class AimsRun
{
    public static async Task RunAsync()
    {
        Console.WriteLine("aims: dataplane-packets, cni, routing, dataplane-control (steady state), then the aims table");
        await DataplanePacketBenchmarks.RunAsync();
        await CniBenchmarks.RunAsync();
        await RoutingBenchmarks.RunAsync();
        // Cold starts and the in-process routing variant have no issue-17 aim; set either variable to keep them.
        foreach (string variable in new[] { "DATAPLANE_CONTROL_COLD_START", "DATAPLANE_CONTROL_ROUTING_SLOWED" })
        {
            if (Environment.GetEnvironmentVariable(variable) is null)
            {
                Environment.SetEnvironmentVariable(variable, "0");
            }
        }

        await DataplaneControlBenchmarks.RunAsync();
    }
}
