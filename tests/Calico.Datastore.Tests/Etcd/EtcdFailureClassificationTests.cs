using System.Net.Http;
using System.Net.Sockets;
using Calico.Datastore.Etcd;
using Grpc.Core;

namespace Calico.Datastore.Tests.Etcd;

[Trait("Tier", "Unit")]
public sealed class EtcdFailureClassificationTests
{
    public static TheoryData<StatusCode, string, string, bool> ServerErrors => new()
    {
        // code, detail, outcome, eject the member
        { StatusCode.Unavailable, "etcdserver: leader changed", nameof(EtcdOutcome.NotApplied), false },
        { StatusCode.Unavailable, "etcdserver: no leader", nameof(EtcdOutcome.NotApplied), false },
        { StatusCode.ResourceExhausted, "etcdserver: too many requests", nameof(EtcdOutcome.NotApplied), false },
        { StatusCode.Unknown, "raft proposal dropped", nameof(EtcdOutcome.NotApplied), false },
        { StatusCode.Unavailable, "etcdserver: request timed out", nameof(EtcdOutcome.Unknown), false },
        { StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure", nameof(EtcdOutcome.Unknown), false },
        { StatusCode.Unknown, "context deadline exceeded", nameof(EtcdOutcome.Unknown), false },
        { StatusCode.Unavailable, "etcdserver: server stopped", nameof(EtcdOutcome.Unknown), true },
        { StatusCode.DeadlineExceeded, "", nameof(EtcdOutcome.Unknown), true },
        { StatusCode.InvalidArgument, "etcdserver: key is not provided", nameof(EtcdOutcome.Fatal), false },
        { StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted", nameof(EtcdOutcome.Fatal), false },
        { StatusCode.PermissionDenied, "etcdserver: permission denied", nameof(EtcdOutcome.Fatal), false },
    };

    [Theory]
    [MemberData(nameof(ServerErrors))]
    public void FromRpc_ServerError_Classified(StatusCode code, string detail, string outcome, bool eject)
    {
        EtcdFailure failure = EtcdFailure.FromRpc(new RpcException(new Status(code, detail)));

        Assert.Equal(outcome, failure.Outcome.ToString());
        Assert.Equal(eject, failure.Eject);
    }

    [Fact]
    public void FromRpc_ConnectionRefused_NotAppliedAndEjects()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));

        EtcdFailure failure = EtcdFailure.FromRpc(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.", refused)));

        Assert.Equal(EtcdOutcome.NotApplied, failure.Outcome);
        Assert.True(failure.Eject);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, "etcdserver: no leader", true)]
    [InlineData(StatusCode.Unavailable, "etcdserver: leader changed", false)]
    [InlineData(StatusCode.Unavailable, "etcdserver: request timed out", false)]
    [InlineData(StatusCode.DeadlineExceeded, "", false)]
    public void FromRpc_OnlyNoLeaderCountsTowardsQuorumLoss(StatusCode code, string detail, bool unserved) =>
        Assert.Equal(unserved, EtcdFailure.FromRpc(new RpcException(new Status(code, detail))).Unserved);

    [Fact]
    public void Unserved_RefusedYes_SilentNo()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));

        Assert.True(EtcdFailure.FromRpc(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.", refused))).Unserved);
        Assert.True(EtcdFailure.FromTransport(refused).Unserved);
        Assert.False(EtcdFailure.AttemptTimedOut(TimeSpan.FromSeconds(3)).Unserved);
    }

    [Fact]
    public void FromRpc_ConnectionResetMidCall_UnknownAndEjects()
    {
        var reset = new IOException("The response ended prematurely.");

        EtcdFailure failure = EtcdFailure.FromRpc(new RpcException(new Status(StatusCode.Internal, "Error reading next message.", reset)));

        Assert.Equal(EtcdOutcome.Unknown, failure.Outcome);
        Assert.True(failure.Eject);
    }

    [Fact]
    public void AttemptTimedOut_NamesDeadline()
    {
        EtcdFailure failure = EtcdFailure.AttemptTimedOut(TimeSpan.FromSeconds(3));

        Assert.Equal(EtcdOutcome.Unknown, failure.Outcome);
        Assert.Equal("no answer within 3s", failure.Description);
    }
}
