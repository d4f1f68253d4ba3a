using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Store;

/// <summary>Counts by action and direction.</summary>
internal struct CountSet
{
    public long AllowedIn;
    public long AllowedOut;
    public long DeniedIn;
    public long DeniedOut;
    public long PassedIn;
    public long PassedOut;

    public void Add(FlowAction action, long inbound, long outbound)
    {
        switch (action)
        {
            case FlowAction.Allow:
                AllowedIn += inbound;
                AllowedOut += outbound;
                break;
            case FlowAction.Deny:
                DeniedIn += inbound;
                DeniedOut += outbound;
                break;
            case FlowAction.Pass:
                PassedIn += inbound;
                PassedOut += outbound;
                break;
            default:
                break;
        }
    }

    public void Add(CountSet other)
    {
        AllowedIn += other.AllowedIn;
        AllowedOut += other.AllowedOut;
        DeniedIn += other.DeniedIn;
        DeniedOut += other.DeniedOut;
        PassedIn += other.PassedIn;
        PassedOut += other.PassedOut;
    }
}
