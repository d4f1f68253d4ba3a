using System.Net;

namespace Calico.KubeControllers.Controllers;

/// <summary>What one scan did.</summary>
internal sealed record GcScanResult(int Released, int Candidates, IReadOnlyList<string> NodesCleaned, IReadOnlyList<IPNetwork> BlocksReleased);
