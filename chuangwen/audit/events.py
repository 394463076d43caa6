"""Chinese names of audit events, for the auditor's pages and exports (the code stays the key)."""

EVENT_LABELS = {
    "login": "登录", "login.failed": "登录失败", "login.lockout": "登录锁定", "logout": "退出登录",
    "session.timeout": "会话超时", "password.change": "修改密码", "password.reset": "重置密码",
    "mfa.enrol": "绑定动态口令", "mfa.verify": "动态口令验证", "mfa.failed": "动态口令错误",
    "mfa.enrol.failed": "绑定动态口令失败", "mfa.reset": "重置动态口令",
    "user.create": "创建账号", "user.enable": "启用账号", "user.disable": "停用账号",
    "user.roles": "变更角色", "user.rename": "修改姓名", "user.mfa_required": "设置动态口令要求",
    "permission.denied": "拒绝访问", "unit.create": "设立单位", "unit.update": "修改单位",
    "unit.rename": "单位更名", "unit.move": "调整隶属", "unit.merge": "合并单位", "unit.abolish": "撤销单位",
    "post.appoint": "任职", "post.end": "免职", "linkage.create": "建立挂钩", "linkage.end": "解除挂钩",
    "group.create": "设立工作组", "group.update": "修改工作组", "group.member.add": "增加成员单位",
    "group.member.remove": "移除成员单位", "group.staff": "调整工作组成员",
    "apitoken.issue": "签发接口令牌", "apitoken.revoke": "吊销接口令牌",
    "backup.create": "备份", "backup.restore": "恢复", "audit.archive": "审计归档",
    "audit.export": "导出审计日志", "audit.verify": "校验审计链", "pi.export": "导出个人信息",
    "pi.unmask": "查看完整个人信息",
    "calendar.seed": "导入节假日安排", "calendar.set": "登记节假日/调休", "calendar.clear": "删除节假日登记",
    "plan.create": "制定工作方案", "plan.update": "修改工作方案", "policy.create": "新增奖惩规则", "policy.update": "修改奖惩规则",
    "task.create": "拟定任务", "task.update": "修改任务", "task.sign_off": "审签任务", "task.issue": "下达任务",
    "task.sign_for": "签收任务", "task.start": "开始办理任务", "task.hand_in": "交账", "task.accept": "验收任务",
    "task.return": "退回任务", "task.cancel": "撤销任务", "task.progress": "报送进度", "task.milestone": "确认节点",
    "task.extension_request": "申请延期", "task.extension_decide": "审批延期", "task.handover_review": "初审交账",
    "task.import": "导入任务分解表", "task.export": "导出任务台账", "task.reminders": "任务督办提醒",
    "notification.digest": "发送通知汇总",
    "attachment.upload": "上传附件", "attachment.download": "下载附件", "attachment.denied": "拒绝下载附件",
    "attachment.delete": "删除附件", "attachment.gc": "清理无主附件文件",
    "task.supervision_notice": "打印督办单",
}


def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, code)
