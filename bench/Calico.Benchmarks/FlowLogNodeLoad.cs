using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;

namespace Calico.Benchmarks;

/// <summary>
/// New connections at a fixed rate (the CRR exchange of <see cref="PacketsCrr"/>: connect, 1 byte each way, close
/// with RST), from a few client threads inside the client pod, each paced to its share of the target: a thread ahead
/// of schedule waits, one behind runs flat out (so the achieved rate is the target or the most the machine gives).
/// </summary>
internal static class FlowLogNodeLoad
{
    public static async Task<(long Connections, double Seconds)> RunAsync(string netnsPath, string ip, int port, double rate, TimeSpan duration, int threads, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        long end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        double perThread = rate / threads;
        long[] counts = await Task.WhenAll(Enumerable.Range(0, threads).Select(t =>
            NetworkNamespace.RunInAsync(netnsPath, () => Loop(ip, port, perThread, started, end, cancellationToken), cancellationToken)));
        double seconds = (Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency;
        return (counts.Sum(), seconds);
    }

    private static long Loop(string ip, int port, double rate, long started, long end, CancellationToken cancellationToken)
    {
        var target = new IPEndPoint(IPAddress.Parse(ip), port);
        byte[] request = [(byte)'x'];
        byte[] response = new byte[1];
        double ticksPerConnection = Stopwatch.Frequency / rate;
        long count = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            long due = started + (long)(count * ticksPerConnection);
            long now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }

            if (due > now)
            {
                long aheadMs = (due - now) * 1000 / Stopwatch.Frequency;
                if (aheadMs >= 2)
                {
                    Thread.Sleep((int)aheadMs - 1);
                }
                else
                {
                    Thread.Yield();
                }

                continue;
            }

            using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                socket.NoDelay = true;
                socket.LingerState = new LingerOption(true, 0);
                socket.Connect(target);
                socket.Send(request);
                if (socket.Receive(response) != 1)
                {
                    throw new InvalidOperationException("CRR server closed without answering");
                }
            }

            count++;
        }

        return count;
    }
}
