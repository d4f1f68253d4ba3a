namespace Calico.Api;

/// <summary>
/// Validation failed. The message follows libcalico-go's ErrorValidation: one error reads
/// "error with field X = 'v' (reason)"; several read "error(s) with field(s)" and a bullet list.
/// </summary>
public sealed class ValidationException : Exception
{
    public ValidationException() : this([])
    {
    }

    public ValidationException(string message) : base(message)
    {
        Errors = [];
    }

    public ValidationException(string message, Exception innerException) : base(message, innerException)
    {
        Errors = [];
    }

    public ValidationException(IReadOnlyList<FieldError> errors) : base(Format(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }

    private static string Format(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => "unknown validation error",
            1 => "error with field " + errors[0],
            _ => "error with the following fields:\n" + string.Concat(errors.Select(e => $"-  {e}\n")),
        };
    }
}
