namespace Calico.Observability.Http;

/// <summary>Answers a GET (the server derives HEAD from it by dropping the body).</summary>
public delegate ValueTask<HttpResponse> HttpHandler(HttpRequest request, CancellationToken cancellationToken);
