namespace Calico.Bird.Control;

/// <summary>
/// The reply to <c>show status</c>: e.g. <c>1000-BIRD 2.0.12</c>, <c>1011-Router ID is 10.0.0.1</c>, then
/// continuation lines for the server time, last reboot and last reconfiguration, and a final code saying how the
/// daemon is (<c>0013 Daemon is up and running</c>; others while it starts, reconfigures or shuts down).
/// </summary>
/// <param name="Up">The final code was 13 (up and running).</param>
/// <param name="Version">BIRD's version, e.g. <c>2.0.12</c>.</param>
public sealed record BirdDaemonStatus(bool Up, string? Version, string? RouterId, string? ServerTime, string? LastReboot, string? LastReconfiguration)
{
    /// <summary>The final code of <c>show status</c> when the daemon is up and running.</summary>
    public const int UpAndRunning = 13;

    public static BirdDaemonStatus Parse(BirdReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsError)
        {
            throw new BirdControlException("BIRD refused 'show status': " + reply.Text);
        }

        string? version = null, routerId = null, serverTime = null, lastReboot = null, lastReconfiguration = null;
        foreach (BirdReplyLine line in reply.Lines)
        {
            string text = line.Text.Trim();
            if (line.Code == 1000 && text.StartsWith("BIRD ", StringComparison.Ordinal))
            {
                version = text["BIRD ".Length..].Trim();
            }
            else if (After(text, "Router ID is ") is { } id)
            {
                routerId = id;
            }
            else if (After(text, "Current server time is ") is { } now)
            {
                serverTime = now;
            }
            else if (After(text, "Last reboot on ") is { } boot)
            {
                lastReboot = boot;
            }
            else if (After(text, "Last reconfiguration on ") is { } reconfiguration)
            {
                lastReconfiguration = reconfiguration;
            }
        }

        return new BirdDaemonStatus(reply.FinalCode == UpAndRunning, version, routerId, serverTime, lastReboot, lastReconfiguration);
    }

    private static string? After(string text, string prefix) =>
        text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..].Trim() : null;
}
