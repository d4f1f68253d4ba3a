using System.Text.Json.Nodes;
using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary><c>run --publish</c>: the grammar, its errors (naming the flag and the value), and what portmap is handed.</summary>
[Trait("Tier", "Unit")]
public sealed class PublishArgumentTests
{
    [Theory]
    [InlineData("8080:80", 8080, 80, "tcp")]
    [InlineData("8080:80/tcp", 8080, 80, "tcp")]
    [InlineData("53:5353/udp", 53, 5353, "udp")]
    [InlineData("1:65535/UDP", 1, 65535, "udp")]
    public void ParsePublish_Valid_GivesTheMapping(string text, int hostPort, int port, string protocol)
    {
        var mapping = ArgumentParsers.ParsePublish(text);
        Assert.Equal((hostPort, port, protocol), (mapping.HostPort, mapping.ContainerPort, mapping.Protocol));
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("8080:")]
    [InlineData(":80")]
    [InlineData("0:80")]
    [InlineData("8080:0")]
    [InlineData("70000:80")]
    [InlineData("8080:80/sctp")]
    [InlineData("8080:80/")]
    [InlineData("127.0.0.1:8080:80")]
    [InlineData("8080-8081:80")]
    [InlineData(" 8080:80")]
    public void ParsePublish_Invalid_NamesFlagAndValue(string text)
    {
        var e = Assert.Throws<LabException>(() => ArgumentParsers.ParsePublish(text));
        Assert.StartsWith($"--publish '{text}' is not <hostPort>:<port>", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--publish", "8080:80", "--publish", "8080:81" }, "--publish '8080:81/tcp' maps host port 8080/tcp again (already '8080:80/tcp')")]
    [InlineData(new[] { "--publish", "99999:80" }, "--publish '99999:80' is not <hostPort>:<port>")]
    [InlineData(new[] { "--publish" }, "--publish needs a value")]
    public async Task Run_BadPublish_ClearErrorBeforeAnythingIsMade_Exit1(string[] options, string message)
    {
        using var error = new StringWriter();
        var code = await LabCli.RunAsync(["run", "host1", "x/c", "--state-dir", "/nonexistent/calico-lab-test", .. options], TextWriter.Null, error, CancellationToken.None);
        Assert.Equal(1, code);
        Assert.Contains("calico-lab run: " + message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SameHostPortOnTwoProtocols_IsAllowed()
    {
        ArgumentParsers.RequireDistinctHostPorts([ArgumentParsers.ParsePublish("8080:80/tcp"), ArgumentParsers.ParsePublish("8080:80/udp")]);
    }

    [Fact]
    public void PortMap_CarriesRuntimeConfigAndPrevResult_AsLibcniChainsIt()
    {
        var json = JsonNode.Parse(CniConfig.PortMap([ArgumentParsers.ParsePublish("8080:80"), ArgumentParsers.ParsePublish("5353:53/udp")], """{"cniVersion":"1.0.0","ips":[{"address":"10.65.0.2/32","interface":1}]}"""))!;
        Assert.Equal("portmap", (string?)json["type"]);
        Assert.Equal(CniConfig.NetworkName, (string?)json["name"]);
        Assert.Equal(CniConfig.CniVersion, (string?)json["cniVersion"]);
        Assert.True((bool)json["snat"]!);
        Assert.True((bool)json["capabilities"]!["portMappings"]!);
        Assert.Equal(
            """[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp"}]""",
            json["runtimeConfig"]!["portMappings"]!.ToJsonString());
        Assert.Equal("10.65.0.2/32", (string?)json["prevResult"]!["ips"]![0]!["address"]);
        Assert.Null(JsonNode.Parse(CniConfig.PortMap([], null))!["prevResult"]);
    }
}
