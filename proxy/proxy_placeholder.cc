// replaced by the proxy
