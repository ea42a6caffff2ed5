using Npgsql;
using NpgsqlTypes;

namespace Notifly.Grains.Storage;

/// <summary>Small helpers for positional parameters, which keep batched SQL readable.</summary>
internal static class Sql
{
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, T value, NpgsqlDbType? type = null)
    {
        command.Parameters.Add(Parameter(value, type));
        return command;
    }

    public static NpgsqlBatchCommand With<T>(this NpgsqlBatchCommand command, T value, NpgsqlDbType? type = null)
    {
        command.Parameters.Add(Parameter(value, type));
        return command;
    }

    private static NpgsqlParameter<T> Parameter<T>(T value, NpgsqlDbType? type)
    {
        var parameter = new NpgsqlParameter<T> { TypedValue = value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }

        return parameter;
    }
}
