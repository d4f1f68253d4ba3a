namespace Calico.Bird.Control;

/// <summary>
/// One line of a BIRD control-socket reply: a 4-digit code and its text. A line that starts with a space continues
/// the previous code and carries it here. Codes 0xxx end a command successfully, 1xxx/2xxx are table rows and
/// headings, 8xxx are run-time errors, 9xxx are command parse errors.
/// </summary>
public readonly record struct BirdReplyLine(int Code, string Text);
