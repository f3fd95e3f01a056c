## 全应用通用的词语。

app-name = T1D eDiary
common-loading = 正在加载…
common-save = 保存
common-cancel = 取消
common-close = 关闭
common-none = 无
common-never = 从未
common-yes = 是
common-no = 否
common-dash = –
common-days = { $n ->
   *[other] { $n } 天
}
common-language = 语言
common-demo-badge = 演示研究：数据均为虚构
