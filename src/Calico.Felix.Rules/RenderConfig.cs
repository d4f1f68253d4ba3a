using System.Numerics;
using Calico.Api;

namespace Calico.Felix.Rules;

/// <summary>The Felix parameters the nftables renderer depends on.</summary>
public sealed record RenderConfig
{
    /// <summary>Felix <c>InterfacePrefix</c>: workload interfaces are <c>&lt;prefix&gt;*</c>.</summary>
    public string InterfacePrefix { get; init; } = "cali";

    public EndpointToHostAction DefaultEndpointToHostAction { get; init; } = EndpointToHostAction.Drop;

    /// <summary>Felix <c>IptablesMarkMask</c>: the mark bits Calico may use.</summary>
    public uint MarkMask { get; init; } = 0xffff0000;

    public uint AcceptMark { get; init; } = 0x10000;

    public uint PassMark { get; init; } = 0x20000;

    /// <summary>Felix <c>LogPrefix</c> for Log rules.</summary>
    public string LogPrefix { get; init; } = "calico-packet";

    /// <summary>Throws <see cref="ValidationException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (InterfacePrefix.Length is 0 or > 14 || !NftNames.IsSafeName(InterfacePrefix))
        {
            throw Bad(nameof(InterfacePrefix), InterfacePrefix, "1-14 characters of [A-Za-z0-9._-]");
        }

        CheckMark(nameof(AcceptMark), AcceptMark);
        CheckMark(nameof(PassMark), PassMark);
        if (AcceptMark == PassMark)
        {
            throw Bad(nameof(PassMark), NftNames.Hex(PassMark), "must differ from AcceptMark");
        }

        if (LogPrefix.Length > 127 || LogPrefix.Contains('"', StringComparison.Ordinal) || LogPrefix.Contains('\\', StringComparison.Ordinal) || HasControl(LogPrefix))
        {
            throw Bad(nameof(LogPrefix), LogPrefix, "at most 127 printable characters without quotes or backslashes");
        }
    }

    private void CheckMark(string field, uint mark)
    {
        if (BitOperations.PopCount(mark) != 1 || (mark & MarkMask) != mark)
        {
            throw Bad(field, NftNames.Hex(mark), "must be a single bit within MarkMask " + NftNames.Hex(MarkMask));
        }
    }

    private static bool HasControl(string s)
    {
        foreach (char c in s)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static ValidationException Bad(string field, string value, string reason) =>
        new($"error with field {field} = '{value}' ({reason})");
}
