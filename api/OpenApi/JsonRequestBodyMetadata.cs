namespace Notifly.Api.OpenApi;

/// <summary>
/// Endpoint metadata: the handler reads a JSON body of <see cref="Type"/> through
/// <see cref="Http.JsonBody"/>. Only the OpenAPI document reads it (<see cref="RequestBodyTransformer"/>).
/// </summary>
public sealed record JsonRequestBodyMetadata(Type Type);
