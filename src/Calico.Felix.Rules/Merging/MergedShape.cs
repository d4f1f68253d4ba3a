namespace Calico.Felix.Rules.Merging;

/// <summary>The key of a merged lookup: remote address, then optionally protocol, then destination port.</summary>
internal enum MergedShape
{
    Address = 1,
    AddressProtocol = 2,
    AddressProtocolPort = 3,
}
