// replaced by the loader
