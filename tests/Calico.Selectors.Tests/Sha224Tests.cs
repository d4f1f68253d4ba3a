using System.Text;
using Calico.Selectors.Hashing;

namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class Sha224Tests
{
    // FIPS 180-2 / NIST examples, and lengths around the padding boundaries (55/56 and 119/120
    // bytes need one or two padding blocks) computed with Python's hashlib.sha224.
    [Theory]
    [InlineData("abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")]
    [InlineData("", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525")]
    public void HashData_StandardVectors_Match(string input, string expectedHex) =>
        Assert.Equal(expectedHex, Convert.ToHexStringLower(Sha224.HashData(Encoding.ASCII.GetBytes(input))));

    [Theory]
    [InlineData(55, "fb0bd626a70c28541dfa781bb5cc4d7d7f56622a58f01a0b1ddd646f")]
    [InlineData(56, "d40854fc9caf172067136f2e29e1380b14626bf6f0dd06779f820dcd")]
    [InlineData(63, "1d4e051f4d6fed2a63fd2421e65834cec00d64456553de3496ae8b1d")]
    [InlineData(64, "a88cd5cde6d6fe9136a4e58b49167461ea95d388ca2bdb7afdc3cbf4")]
    [InlineData(65, "ff8716f600af42959d0efb52e1f21b01bb328733009344d511c299fb")]
    [InlineData(119, "e000e6709d26667b631faa7fc1bd404eb4774003c5fb4f51a0184875")]
    [InlineData(120, "66924e30a9929327e7a6cf03747397226ed2efc180ebe3dea7132a79")]
    [InlineData(128, "39873a2441c56608137850f4c54dde157710b9a2b83c8bdc756dd643")]
    [InlineData(1_000_000, "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67")]
    public void HashData_RepeatedA_MatchesReference(int length, string expectedHex) =>
        Assert.Equal(expectedHex, Convert.ToHexStringLower(Sha224.HashData(Encoding.ASCII.GetBytes(new string('a', length)))));

    [Fact]
    public void HashData_NonAsciiSelector_HashesUtf8Bytes() =>
        Assert.Equal(
            "4697c95e950ead869c757c1d0b0a31cc297aa07018b49777b6c83427",
            Convert.ToHexStringLower(Sha224.HashData(Encoding.UTF8.GetBytes("s:a == \"\u00e9\U0001F600\""))));

    [Fact]
    public void HashData_ShortDestination_Throws() =>
        Assert.Throws<ArgumentException>(() => Sha224.HashData([1, 2, 3], new byte[27]));
}
