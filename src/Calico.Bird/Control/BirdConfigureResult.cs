namespace Calico.Bird.Control;

/// <summary>
/// The outcome of <c>configure</c>: on failure BIRD keeps running its previous configuration and
/// <see cref="Message"/> is its error (e.g. <c>/run/calico/bird.cfg:12:3 syntax error, unexpected ...</c>).
/// </summary>
public sealed record BirdConfigureResult(bool Succeeded, string Message);
