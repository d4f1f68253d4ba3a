using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// The kernel's answers to one batch, sorted out. Every message is acked (NLM_F_ACK); the kernel keeps going after an
/// error, then aborts the whole batch; it answers against BATCH_BEGIN when it refuses the batch (EPERM) or the commit
/// fails. Success = one zero ack per message.
/// </summary>
internal readonly record struct NfTablesAnswers(int Acked, int Errors, NetlinkAck? FirstError, NetlinkAck? BatchRefused)
{
    public static NfTablesAnswers Tally(List<NetlinkAck> answers, uint beginSequence)
    {
        int acked = 0;
        int errors = 0;
        NetlinkAck? firstError = null;
        foreach (NetlinkAck answer in answers)
        {
            if (answer.Errno == 0)
            {
                acked++;
            }
            else if (answer.Sequence == beginSequence)
            {
                return new NfTablesAnswers(acked, errors, firstError, answer);
            }
            else
            {
                errors++;
                if (firstError is null || unchecked((int)(answer.Sequence - firstError.Value.Sequence)) < 0)
                {
                    firstError = answer;
                }
            }
        }

        return new NfTablesAnswers(acked, errors, firstError, null);
    }
}
