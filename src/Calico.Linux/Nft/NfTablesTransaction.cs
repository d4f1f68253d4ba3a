using System.Globalization;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using static Calico.Linux.Nft.NfTablesRuleAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// The steps of one nf_tables transaction on one table, in order; <see cref="NfTables.Apply"/> sends them as ONE
/// nfnetlink batch: every step applies or none does. Arguments are validated when a step is added
/// (<see cref="ArgumentException"/>); nothing touches the kernel before <see cref="NfTables.Apply"/>.
/// </summary>
public sealed class NfTablesTransaction
{
    /// <summary>Element messages are capped so the ELEMENTS nest stays under the 16-bit attribute length.</summary>
    private const int MaxElementBytesPerMessage = 48 * 1024;

    private readonly List<Step> _steps = [];
    private readonly Dictionary<string, int> _rulesPerChain = new(StringComparer.Ordinal);

    public NfTablesTransaction(string family, string table)
    {
        FamilyCode = NfTablesNames.FamilyCode(family);
        NfTablesNames.Validate(table, nameof(table));
        Family = family;
        Table = table;
    }

    public string Family { get; }

    public string Table { get; }

    /// <summary>Steps added so far.</summary>
    public int Count => _steps.Count;

    internal byte FamilyCode { get; }

    /// <summary>The transaction's table itself (<c>add table</c>: an existing one is fine).</summary>
    public void AddTable() => _steps.Add(new Step(StepKind.AddTable, null, null, 0, null));

    /// <summary><c>delete table</c>: the table and everything in it (preceded by <see cref="AddTable"/> when it may be missing).</summary>
    public void DeleteTable() => _steps.Add(new Step(StepKind.DeleteTable, null, null, 0, null));

    /// <summary>
    /// A base chain (<c>add chain … { type filter hook input priority -5; policy accept; }</c>): <paramref name="type"/>
    /// is <c>filter</c>, <c>nat</c> or <c>route</c>, <paramref name="hook"/> one of <c>prerouting</c>, <c>input</c>,
    /// <c>forward</c>, <c>output</c>, <c>postrouting</c>, <paramref name="priority"/> the number nft computes from
    /// names such as <c>filter - 5</c>.
    /// </summary>
    public void AddBaseChain(string chain, string type, string hook, int priority, bool policyAccept)
    {
        NfTablesNames.Validate(chain, nameof(chain));
        if (type is not ("filter" or "nat" or "route"))
        {
            throw new ArgumentException($"'{type}' is not a chain type (filter, nat, route)", nameof(type));
        }

        _ = HookNumber(hook);
        _steps.Add(new Step(StepKind.AddBaseChain, chain, null, 0, null) { BaseChain = (type, hook, priority, policyAccept) });
    }

    /// <summary>A regular chain (<c>add chain</c>: an existing one is fine).</summary>
    public void AddChain(string chain)
    {
        NfTablesNames.Validate(chain, nameof(chain));
        _steps.Add(new Step(StepKind.AddChain, chain, null, 0, null));
    }

    /// <summary><c>flush chain</c>: removes every rule of the chain.</summary>
    public void FlushChain(string chain)
    {
        NfTablesNames.Validate(chain, nameof(chain));
        _steps.Add(new Step(StepKind.FlushChain, chain, null, 0, null));
    }

    /// <summary><c>delete chain</c>: the chain must be empty and unreferenced.</summary>
    public void DeleteChain(string chain)
    {
        NfTablesNames.Validate(chain, nameof(chain));
        _steps.Add(new Step(StepKind.DeleteChain, chain, null, 0, null));
    }

    /// <summary><c>add rule</c>: appends the rule at the end of the chain.</summary>
    public void AppendRule(string chain, NfTablesRule rule)
    {
        NfTablesNames.Validate(chain, nameof(chain));
        ArgumentNullException.ThrowIfNull(rule);
        _rulesPerChain.TryGetValue(chain, out int count);
        _rulesPerChain[chain] = ++count;
        _steps.Add(new Step(StepKind.AppendRule, chain, rule, count, null));
    }

    /// <summary>Element adds and deletes, encoded as <see cref="NfTablesSetElements"/> does.</summary>
    public void ChangeElements(IReadOnlyList<SetElementChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        for (int i = 0; i < changes.Count; i++)
        {
            SetElementChange change = changes[i] ?? throw new ArgumentException($"changes[{i}] is null", nameof(changes));
            NfTablesNames.Validate(change.Set, nameof(changes));
        }

        if (changes.Count > 0)
        {
            _steps.Add(new Step(StepKind.ChangeElements, null, null, 0, changes.ToArray()));
        }
    }

    /// <summary>
    /// <c>add set</c> of a named set declared as <paramref name="kind"/> says (NEWSET with NLM_F_CREATE: an identical
    /// existing set is fine). Its elements can be added by <see cref="ChangeElements"/> later in the same transaction.
    /// </summary>
    public void AddSet(string name, NftSetKind kind)
    {
        NfTablesNames.Validate(name, nameof(name));
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"'{kind}' is not an NftSetKind", nameof(kind));
        }

        _steps.Add(new Step(StepKind.AddSet, name, null, 0, null, kind));
    }

    /// <summary><c>add map</c> of <c>type ifname : verdict</c> (Calico's dispatch maps).</summary>
    public void AddVerdictMap(string name)
    {
        NfTablesNames.Validate(name, nameof(name));
        _steps.Add(new Step(StepKind.AddVerdictMap, name, null, 0, null));
    }

    /// <summary><c>delete set</c> (or map): it must be unreferenced, otherwise the batch fails with EBUSY.</summary>
    public void DeleteSet(string name)
    {
        NfTablesNames.Validate(name, nameof(name));
        _steps.Add(new Step(StepKind.DeleteSet, name, null, 0, null));
    }

    /// <summary>Element adds (<c>"key" : verdict</c>) and deletes (by key) of a <c>type ifname : verdict</c> map.</summary>
    public void ChangeMapElements(string map, IReadOnlyList<MapElementChange> changes)
    {
        NfTablesNames.Validate(map, nameof(map));
        ArgumentNullException.ThrowIfNull(changes);
        for (int i = 0; i < changes.Count; i++)
        {
            MapElementChange change = changes[i] ?? throw new ArgumentException($"changes[{i}] is null", nameof(changes));
            NfTablesSetsMapElements.Validate(change, nameof(changes));
        }

        if (changes.Count > 0)
        {
            _steps.Add(new Step(StepKind.ChangeMapElements, map, null, 0, null, MapChanges: changes.ToArray()));
        }
    }

    /// <summary>
    /// Writes the whole batch (BATCH_BEGIN, every step's messages, BATCH_END) and records which step each message
    /// belongs to, so an error answer can name it. Element text is encoded here: a malformed element throws before
    /// anything is sent.
    /// </summary>
    internal void Encode(NetlinkWriter writer, Func<uint> nextSequence, List<Message> messages, out uint beginSequence, out uint endSequence)
    {
        writer.Reset();
        messages.Clear();
        beginSequence = nextSequence();
        writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_BEGIN, Rtnl.NLM_F_REQUEST, beginSequence, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();
        uint anonymousSetId = 0;
        Span<uint> setIds = stackalloc uint[16];
        for (int stepIndex = 0; stepIndex < _steps.Count; stepIndex++)
        {
            Step step = _steps[stepIndex];
            switch (step.Kind)
            {
                case StepKind.AddTable:
                {
                    uint sequence = Begin(writer, nextSequence, NFT_MSG_NEWTABLE, Rtnl.NLM_F_CREATE);
                    writer.PutString(NFTA_TABLE_NAME, Table);
                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_NEWTABLE", -1));
                    break;
                }

                case StepKind.DeleteTable:
                {
                    uint sequence = Begin(writer, nextSequence, NFT_MSG_DELTABLE, 0);
                    writer.PutString(NFTA_TABLE_NAME, Table);
                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_DELTABLE", -1));
                    break;
                }

                case StepKind.AddBaseChain:
                {
                    var (type, hook, priority, policyAccept) = step.BaseChain;
                    uint sequence = Begin(writer, nextSequence, NFT_MSG_NEWCHAIN, Rtnl.NLM_F_CREATE);
                    writer.PutString(NFTA_CHAIN_TABLE, Table);
                    writer.PutString(NFTA_CHAIN_NAME, step.Chain!);
                    int hookNest = writer.BeginNested(NFTA_CHAIN_HOOK);
                    writer.PutBigEndianUInt32(NFTA_HOOK_HOOKNUM, HookNumber(hook));
                    writer.PutBigEndianUInt32(NFTA_HOOK_PRIORITY, unchecked((uint)priority));
                    writer.EndNested(hookNest);
                    writer.PutBigEndianUInt32(NFTA_CHAIN_POLICY, policyAccept ? NF_ACCEPT : NF_DROP);
                    writer.PutString(NFTA_CHAIN_TYPE, type);
                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_NEWCHAIN", -1));
                    break;
                }

                case StepKind.AddChain:
                case StepKind.DeleteChain:
                {
                    bool add = step.Kind == StepKind.AddChain;
                    uint sequence = Begin(writer, nextSequence, add ? NFT_MSG_NEWCHAIN : NFT_MSG_DELCHAIN, add ? Rtnl.NLM_F_CREATE : (ushort)0);
                    writer.PutString(NFTA_CHAIN_TABLE, Table);
                    writer.PutString(NFTA_CHAIN_NAME, step.Chain!);
                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, add ? "NFT_MSG_NEWCHAIN" : "NFT_MSG_DELCHAIN", -1));
                    break;
                }

                case StepKind.FlushChain:
                {
                    uint sequence = Begin(writer, nextSequence, NFT_MSG_DELRULE, 0);
                    writer.PutString(NFTA_RULE_TABLE, Table);
                    writer.PutString(NFTA_RULE_CHAIN, step.Chain!);
                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_DELRULE", -1));
                    break;
                }

                case StepKind.AppendRule:
                {
                    NfTablesRule rule = step.Rule!;
                    Span<uint> ids = rule.AnonymousSets.Count <= setIds.Length ? setIds[..rule.AnonymousSets.Count] : new uint[rule.AnonymousSets.Count];
                    for (int i = 0; i < rule.AnonymousSets.Count; i++)
                    {
                        NfTablesAnonymousSet set = rule.AnonymousSets[i];
                        ids[i] = ++anonymousSetId;
                        uint setSequence = Begin(writer, nextSequence, NFT_MSG_NEWSET, Rtnl.NLM_F_CREATE);
                        set.WriteNewSet(writer, Table, ids[i]);
                        writer.EndMessage();
                        messages.Add(new Message(setSequence, stepIndex, "NFT_MSG_NEWSET (anonymous set of)", -1));
                        uint elementSequence = Begin(writer, nextSequence, NfNetlink.NFT_MSG_NEWSETELEM, Rtnl.NLM_F_CREATE);
                        set.WriteElements(writer, Table, ids[i]);
                        writer.EndMessage();
                        messages.Add(new Message(elementSequence, stepIndex, "NFT_MSG_NEWSETELEM (anonymous set of)", -1));
                    }

                    uint sequence = Begin(writer, nextSequence, NFT_MSG_NEWRULE, Rtnl.NLM_F_CREATE | NLM_F_APPEND);
                    writer.PutString(NFTA_RULE_TABLE, Table);
                    writer.PutString(NFTA_RULE_CHAIN, step.Chain!);
                    int expressions = writer.BeginNested(NFTA_RULE_EXPRESSIONS);
                    foreach (NftExpression expression in rule.Expressions)
                    {
                        expression.Write(writer, ids);
                    }

                    writer.EndNested(expressions);
                    if (rule.Comment is { } comment)
                    {
                        // libnftnl's rule userdata: TLV { type COMMENT, length, text + NUL }.
                        byte[] userData = new byte[comment.Length + 3];
                        userData[0] = NFTNL_UDATA_RULE_COMMENT;
                        userData[1] = (byte)(comment.Length + 1);
                        for (int i = 0; i < comment.Length; i++)
                        {
                            userData[2 + i] = (byte)comment[i];
                        }

                        writer.PutAttribute(NFTA_RULE_USERDATA, userData);
                    }

                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_NEWRULE", -1));
                    break;
                }

                case StepKind.ChangeElements:
                    EncodeElements(writer, nextSequence, messages, stepIndex, step.Changes!);
                    break;

                case StepKind.AddSet:
                case StepKind.AddVerdictMap:
                {
                    uint sequence = Begin(writer, nextSequence, NFT_MSG_NEWSET, Rtnl.NLM_F_CREATE);
                    if (step.Kind == StepKind.AddSet)
                    {
                        NfTablesSetsDeclaration.WriteNewSet(writer, Table, step.Chain!, step.SetKind, ++anonymousSetId);
                    }
                    else
                    {
                        NfTablesSetsDeclaration.WriteNewVerdictMap(writer, Table, step.Chain!, ++anonymousSetId);
                    }

                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_NEWSET", -1));
                    break;
                }

                case StepKind.DeleteSet:
                {
                    uint sequence = Begin(writer, nextSequence, NfTablesSetsAttributes.NFT_MSG_DELSET, 0);
                    writer.PutString(NfTablesRuleAttributes.NFTA_SET_TABLE, Table);
                    writer.PutString(NfTablesRuleAttributes.NFTA_SET_NAME, step.Chain!);
                    writer.EndMessage();
                    messages.Add(new Message(sequence, stepIndex, "NFT_MSG_DELSET", -1));
                    break;
                }

                case StepKind.ChangeMapElements:
                    EncodeMapElements(writer, nextSequence, messages, stepIndex, step.Chain!, step.MapChanges!);
                    break;
            }
        }

        endSequence = nextSequence();
        writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_END, Rtnl.NLM_F_REQUEST, endSequence, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();
    }

    /// <summary>What failed, for the exception: the message, the table, the chain and rule or the set and element.</summary>
    internal string Describe(Message message)
    {
        Step step = _steps[message.Step];
        string subject = step.Kind switch
        {
            StepKind.AppendRule => string.Create(CultureInfo.InvariantCulture, $"{step.Chain} rule {step.RuleNumber} '{step.Rule!.Text}'"),
            StepKind.ChangeElements => DescribeElement(step.Changes!, message.FirstChange),
            StepKind.ChangeMapElements => DescribeMapElement(step.Chain!, step.MapChanges![message.FirstChange]),
            StepKind.AddTable or StepKind.DeleteTable => string.Empty,
            _ => step.Chain!,
        };
        return $"{message.Operation} {Family} {Table} {subject}";
    }

    private static string DescribeElement(SetElementChange[] changes, int index)
    {
        SetElementChange change = changes[index];
        return $"{change.Set} element {change.Element}";
    }

    private static string DescribeMapElement(string map, MapElementChange change) =>
        change.Add ? $"{map} element \"{change.Key}\" : {change.Verdict}" : $"{map} element \"{change.Key}\"";

    /// <summary>Consecutive changes in one direction share a message, as <see cref="EncodeElements"/> does.</summary>
    private void EncodeMapElements(NetlinkWriter writer, Func<uint> nextSequence, List<Message> messages, int stepIndex, string map, MapElementChange[] changes)
    {
        int index = 0;
        while (index < changes.Length)
        {
            bool add = changes[index].Add;
            uint sequence = Begin(writer, nextSequence, add ? NfNetlink.NFT_MSG_NEWSETELEM : NfNetlink.NFT_MSG_DELSETELEM, 0);
            writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_TABLE, Table);
            writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_SET, map);
            int elements = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
            int firstChange = index;
            do
            {
                NfTablesSetsMapElements.Write(writer, changes[index]);
                index++;
            }
            while (index < changes.Length && changes[index].Add == add && writer.Length - elements < MaxElementBytesPerMessage);

            writer.EndNested(elements);
            writer.EndMessage();
            string operation = add ? "NFT_MSG_NEWSETELEM" : "NFT_MSG_DELSETELEM";
            if (index - firstChange > 1)
            {
                operation += string.Create(CultureInfo.InvariantCulture, $" ({index - firstChange} elements from)");
            }

            messages.Add(new Message(sequence, stepIndex, operation, firstChange));
        }
    }

    private void EncodeElements(NetlinkWriter writer, Func<uint> nextSequence, List<Message> messages, int stepIndex, SetElementChange[] changes)
    {
        int index = 0;
        while (index < changes.Length)
        {
            SetElementChange first = changes[index];
            uint sequence = Begin(writer, nextSequence, first.Add ? NfNetlink.NFT_MSG_NEWSETELEM : NfNetlink.NFT_MSG_DELSETELEM, 0);
            writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_TABLE, Table);
            writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_SET, first.Set);
            int elements = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
            int firstChange = index;
            do
            {
                NfTablesElementCodec.WriteElements(writer, changes[index].Kind, changes[index].Element);
                index++;
            }
            while (index < changes.Length && changes[index].Add == first.Add
                && string.Equals(changes[index].Set, first.Set, StringComparison.Ordinal) && writer.Length - elements < MaxElementBytesPerMessage);

            writer.EndNested(elements);
            writer.EndMessage();
            string operation = first.Add ? "NFT_MSG_NEWSETELEM" : "NFT_MSG_DELSETELEM";
            if (index - firstChange > 1)
            {
                operation += string.Create(CultureInfo.InvariantCulture, $" ({index - firstChange} elements from)");
            }

            messages.Add(new Message(sequence, stepIndex, operation, firstChange));
        }
    }

    private uint Begin(NetlinkWriter writer, Func<uint> nextSequence, ushort type, ushort flags)
    {
        uint sequence = nextSequence();
        writer.BeginMessage(NfNetlink.MessageType(type), (ushort)(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | flags), sequence, FamilyCode, 0);
        return sequence;
    }

    private static uint HookNumber(string hook) => hook switch
    {
        // enum nf_inet_hooks
        "prerouting" => 0,
        "input" => 1,
        "forward" => 2,
        "output" => 3,
        "postrouting" => 4,
        _ => throw new ArgumentException($"'{hook}' is not a hook (prerouting, input, forward, output, postrouting)", nameof(hook)),
    };

    // Base chains and table deletion: linux/netfilter/nf_tables.h, linux/netfilter.h.
    private const ushort NFT_MSG_DELTABLE = 2;
    private const ushort NFTA_CHAIN_HOOK = 4;
    private const ushort NFTA_CHAIN_POLICY = 5;
    private const ushort NFTA_CHAIN_TYPE = 7;
    private const ushort NFTA_HOOK_HOOKNUM = 1;
    private const ushort NFTA_HOOK_PRIORITY = 2;
    private const uint NF_DROP = 0;
    private const uint NF_ACCEPT = 1;

    private enum StepKind
    {
        AddTable,
        DeleteTable,
        AddBaseChain,
        AddChain,
        FlushChain,
        DeleteChain,
        AppendRule,
        ChangeElements,
        AddSet,
        AddVerdictMap,
        DeleteSet,
        ChangeMapElements,
    }

    /// <summary>One message of the batch: its sequence, its step, what it does, and (elements) the step's first change in it.</summary>
    internal readonly record struct Message(uint Sequence, int Step, string Operation, int FirstChange);

    /// <summary>For set steps <paramref name="Chain"/> holds the set or map name.</summary>
    private sealed record Step(StepKind Kind, string? Chain, NfTablesRule? Rule, int RuleNumber, SetElementChange[]? Changes, NftSetKind SetKind = default, MapElementChange[]? MapChanges = null)
    {
        public (string Type, string Hook, int Priority, bool PolicyAccept) BaseChain { get; init; }
    }
}
