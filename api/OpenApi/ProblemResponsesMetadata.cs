namespace Notifly.Api.OpenApi;

/// <summary>
/// Endpoint metadata: problem statuses a handler answers beyond those <see cref="ProblemResponsesTransformer"/>
/// infers from the route (a 409 from a state check, a 401 from a signature check).
/// </summary>
public sealed record ProblemResponsesMetadata(IReadOnlyList<int> Statuses);
