namespace Calico.Bird.Rendering;

/// <summary>BGP timers (<c>metav1.Duration</c> upstream: "120s", "2m", "1h30m", "1.5s") as BIRD's whole seconds.</summary>
internal static class BgpTimers
{
    /// <summary>Whole seconds, rounded as upstream's <c>math.Round(d.Seconds())</c>; null when absent, invalid or negative.</summary>
    public static int? ToRoundedSeconds(string? text) =>
        TryParseSeconds(text, out var seconds) ? (int)Math.Round(seconds, MidpointRounding.AwayFromZero) : null;

    /// <summary>Go's <c>time.ParseDuration</c> exactly (<see cref="Calico.Api.GoDuration"/>); a negative timer is refused.</summary>
    public static bool TryParseSeconds(string? text, out double seconds)
    {
        seconds = 0;
        if (!Calico.Api.GoDuration.TryParse(text, out var nanoseconds) || nanoseconds < 0)
        {
            return false;
        }

        seconds = nanoseconds / 1e9;
        return true;
    }
}
