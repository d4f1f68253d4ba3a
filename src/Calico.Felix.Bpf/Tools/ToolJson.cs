using System.Text.Encodings.Web;
using System.Text.Json;

namespace Calico.Felix.Bpf.Tools;

/// <summary>Indented JSON written straight to a text writer (no reflection: calico-node may be AOT-compiled).</summary>
internal static class ToolJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
