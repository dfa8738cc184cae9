"""Installation and repair visits (上门安装 / 上门维修): the client side.

:mod:`.domain` (frozen objects and JSON parsers), :mod:`.base` (the contract),
:mod:`.http` and :mod:`.local` (the two adapters' mixins).
"""
