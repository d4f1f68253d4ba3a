using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Calico.Goldmane.Api;

namespace Calico.Goldmane.Web.Tests;

/// <summary>
/// The page's data source in these tests: an <see cref="IFlowSource"/> holding known flows. List and FilterHints
/// answer canned results and remember the request; Stream gives the flows held, then each one published later.
/// </summary>
internal sealed class TestFlowSource : IFlowSource
{
    private readonly Lock _lock = new();
    private readonly List<FlowResult> _flows = [];
    private readonly List<Channel<FlowResult>> _watchers = [];
    private long _nextId;

    public TestFlowSource(IEnumerable<Flow> flows, bool completeStream = false)
    {
        foreach (var flow in flows)
        {
            _flows.Add(new FlowResult { Id = ++_nextId, Flow = flow });
        }

        CompleteStream = completeStream;
    }

    /// <summary>When true, Stream ends after the flows held (for tests reading a whole response body).</summary>
    public bool CompleteStream { get; }

    public FlowListRequest? LastList { get; private set; }

    public FlowStreamRequest? LastStream { get; private set; }

    public FilterHintsRequest? LastHints { get; private set; }

    public FilterHintsResult Hints { get; set; } = new();

    /// <summary>Thrown by Stream before its first result (as a store refuses a bad request or a stream too many).</summary>
    public Exception? StreamFailure { get; set; }

    public int Watchers
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public FlowListResult List(FlowListRequest request)
    {
        LastList = request;
        var result = new FlowListResult { Meta = new ListMetadata { TotalPages = 1, TotalResults = _flows.Count } };
        lock (_lock)
        {
            result.Flows.AddRange(_flows);
        }

        return result;
    }

    public FilterHintsResult FilterHints(FilterHintsRequest request)
    {
        LastHints = request;
        return Hints;
    }

    public void Publish(Flow flow)
    {
        lock (_lock)
        {
            var result = new FlowResult { Id = ++_nextId, Flow = flow };
            _flows.Add(result);
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(result);
            }
        }
    }

    public async IAsyncEnumerable<FlowResult> Stream(FlowStreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LastStream = request;
        if (StreamFailure is not null)
        {
            throw StreamFailure;
        }

        var channel = Channel.CreateUnbounded<FlowResult>();
        lock (_lock)
        {
            foreach (var flow in _flows)
            {
                channel.Writer.TryWrite(flow);
            }

            if (CompleteStream)
            {
                channel.Writer.Complete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        try
        {
            await foreach (var result in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return result;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }
}
