namespace Calico.Selectors.Evaluation;

internal enum OpCode : byte
{
    True,
    Has,
    Equal,
    NotEqual,
    Contains,
    StartsWith,
    EndsWith,
    In,
    NotIn,
    Not,
    And,
    Or,
}
