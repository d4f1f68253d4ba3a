using Grpc.Core;

namespace Calico.Goldmane.Services;

/// <summary>The store's validation errors as gRPC statuses.</summary>
internal static class RpcErrors
{
    public static T Guard<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }
}
