"""One module per AWS wire protocol: decode a request body into Python values by the
operation's input shape, and encode an output value or an error by the output shape."""
