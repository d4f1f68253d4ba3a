using Xunit.Abstractions;

namespace Calico.Lab.Tests;

/// <summary>
/// One case file of ../shared/conformance/policy as a theory argument. Serializable, so the runner lists each case
/// as its own test; named by its file name, so a failure says which case broke.
/// </summary>
public sealed class PolicyCase : IXunitSerializable
{
    /// <summary>For xunit's deserializer only.</summary>
    [Obsolete("for xunit's deserializer")]
    public PolicyCase()
    {
    }

    public PolicyCase(string fileName) => FileName = fileName;

    /// <summary>The case's file name, such as <c>k01-default-deny-ingress.yaml</c>.</summary>
    public string FileName { get; private set; } = "";

    /// <summary>The case file's full path.</summary>
    public string Path => System.IO.Path.Combine(PolicyCases.Directory(), FileName);

    /// <summary>Every case file, in name order (what <c>conformance</c> on the folder runs).</summary>
    public static TheoryData<PolicyCase> All()
    {
        var data = new TheoryData<PolicyCase>();
        foreach (var name in PolicyCases.FileNames())
        {
            data.Add(new PolicyCase(name));
        }

        return data;
    }

    public void Deserialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        FileName = info.GetValue<string>(nameof(FileName));
    }

    public void Serialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.AddValue(nameof(FileName), FileName);
    }

    public override string ToString() => FileName;
}
