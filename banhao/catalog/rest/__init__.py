"""The public catalog API (事项目录接口): search, published items, one item with all its elements."""
