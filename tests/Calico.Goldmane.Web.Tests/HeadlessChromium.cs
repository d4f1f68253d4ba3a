using System.Diagnostics;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Calico.TestKit;

namespace Calico.Goldmane.Web.Tests;

/// <summary>
/// Debian's <c>chromium</c> run headless (<c>--headless --no-sandbox --disable-gpu</c>) with the DevTools protocol
/// on a loopback port: one page, navigated and read through <c>Runtime.evaluate</c>. The browser process tree is
/// killed on dispose (by its PID, through <see cref="ChildProcess"/>).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly ChildProcess _processes;
    private readonly TempDirectory _profile;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(ChildProcess processes, TempDirectory profile, ClientWebSocket socket)
    {
        _processes = processes;
        _profile = profile;
        _socket = socket;
    }

    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        string chromium = Prerequisites.Require("chromium");
        var processes = new ChildProcess();
        var profile = new TempDirectory("calico-chromium");
        try
        {
            var process = processes.Start(chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile.Path, "about:blank",
            ]);

            // Chromium writes the port it chose, then the browser target's path, to DevToolsActivePort.
            string portFile = profile.File("DevToolsActivePort");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            string[] lines = [];
            while (lines.Length < 2)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("chromium exited before DevTools listened: " + processes.OutputOf(process));
                }

                await Task.Delay(100, deadline.Token);
                lines = File.Exists(portFile) ? await File.ReadAllLinesAsync(portFile, deadline.Token) : [];
            }

            using var http = new HttpClient();
            using var created = await http.PutAsync(new Uri($"http://127.0.0.1:{lines[0]}/json/new?about:blank"), null, deadline.Token);
            created.EnsureSuccessStatusCode();
            var target = JsonNode.Parse(await created.Content.ReadAsStringAsync(deadline.Token))!;
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(target["webSocketDebuggerUrl"]!.GetValue<string>()), deadline.Token);
            return new HeadlessChromium(processes, profile, socket);
        }
        catch
        {
            processes.Dispose();
            profile.Dispose();
            throw;
        }
    }

    public Task NavigateAsync(string url, CancellationToken cancellationToken) =>
        SendAsync("Page.navigate", new JsonObject { ["url"] = url }, cancellationToken);

    /// <summary>Evaluates a JavaScript expression in the page and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
        if (result["exceptionDetails"] is JsonNode exception)
        {
            throw new InvalidOperationException("page script failed: " + exception.ToJsonString());
        }

        return result["result"]?["value"];
    }

    /// <summary>Polls <paramref name="condition"/> (a JavaScript expression) until it is true; fails with the page's
    /// body text after a generous deadline (a wait for the page, not a timing assertion).</summary>
    public async Task WaitForAsync(string condition, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (await EvaluateAsync(condition, deadline.Token) is JsonValue value && value.TryGetValue(out bool ok) && ok)
                {
                    return;
                }

                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                string text = (await EvaluateAsync("document.body ? document.body.innerText : ''", cancellationToken))?.ToString() ?? "";
                throw new TimeoutException($"the page never satisfied `{condition}`; it shows:\n{text}");
            }
            catch (InvalidOperationException) when (!deadline.IsCancellationRequested)
            {
                // The page is between documents (navigation): evaluate again.
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        int id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, cancellationToken);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException("chromium closed the DevTools connection");
                }

                received.Write(buffer, 0, part.Count);
            }
            while (!part.EndOfMessage);

            var reply = JsonNode.Parse(received.ToArray())!;
            if (reply["id"]?.GetValue<int>() != id)
            {
                continue; // an event, or a late reply to an abandoned call
            }

            if (reply["error"] is JsonNode error)
            {
                throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
            }

            return reply["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            Debug.WriteLine("closing the DevTools socket: " + e.Message);
        }
        finally
        {
            _socket.Dispose();
            _processes.Dispose();
            _profile.Dispose();
        }
    }
}
