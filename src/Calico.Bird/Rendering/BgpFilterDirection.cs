namespace Calico.Bird.Rendering;

/// <summary>Which way a BGPFilter rule list acts: routes learned from a peer, or routes advertised to it.</summary>
internal enum BgpFilterDirection
{
    Import,
    Export,
}
