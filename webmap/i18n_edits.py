"""The words of the corrections pages (propose, review, history, revert) in Chinese and English.

Kept beside webmap.i18n, which merges them into its STRINGS: one table for the whole interface,
in two files so neither grows past a screenful of scrolling per subject.
"""

from __future__ import annotations

EDIT_STRINGS: dict[str, dict[str, str]] = {
    # the place page's corrections block
    "corrections": {"zh": "更正与修订历史", "en": "Corrections and history"},
    "corrections_intro": {"zh": "位置不对？编辑可以提出更正，审核人批准后生效；"
                                 "每一次修改都有记录。",
                          "en": "Wrong position? Editors propose corrections, which take effect "
                                "once a reviewer approves them; every change is recorded."},
    "history_link": {"zh": "修订历史", "en": "Revision history"},
    "propose_correction": {"zh": "提出更正", "en": "Propose a correction"},
    "review_queue": {"zh": "待审核的更正", "en": "Review queue"},
    "sign_in_to_edit": {"zh": "登录后提出更正", "en": "Sign in to propose a correction"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "signed_in_as": {"zh": "已登录：{name}（{role}）", "en": "Signed in as {name} ({role})"},
    "role_viewer": {"zh": "浏览者", "en": "viewer"},
    "role_editor": {"zh": "编辑", "en": "editor"},
    "role_reviewer": {"zh": "审核人", "en": "reviewer"},
    "role_admin": {"zh": "管理员", "en": "admin"},
    # the correction form
    "edit_title": {"zh": "更正：{name}", "en": "Correct: {name}"},
    "edit_intro": {"zh": "在地图上绘制或修改几何，或上传文件；写明精度、预计误差和坐标来源。"
                         "提交后进入审核队列，批准后才生效。",
                   "en": "Draw or modify the geometry on the map, or upload a file; state its "
                         "precision, expected error and source. It goes to the review queue "
                         "and takes effect once approved."},
    "geometry": {"zh": "几何", "en": "Geometry"},
    "draw_help": {"zh": "用地图左上角的工具绘制新形状，或拖动顶点修改现有形状（虚线为修改前）。"
                        "也可以直接编辑下面的 GeoJSON。",
                  "en": "Draw a new shape with the tools at the map's top left, or drag the "
                        "vertices of the present one (dashed: as it was). You may also edit "
                        "the GeoJSON below."},
    "geometry_json": {"zh": "几何（GeoJSON，WGS-84 经纬度；留空则保留现有几何）",
                      "en": "Geometry (GeoJSON, WGS-84 longitude/latitude; empty: keep the "
                            "present one)"},
    "unlocatable": {"zh": "无法定位（去掉几何）", "en": "Cannot be located (no geometry)"},
    "upload": {"zh": "上传文件", "en": "Upload a file"},
    "upload_file": {"zh": "文件", "en": "File"},
    "upload_help": {"zh": "GeoJSON、GeoPackage、压缩的 Shapefile（.zip）、KML 或 KMZ，"
                           "不超过 {mb} MB。"
                          "有多个要素时，取 id 或名称与本地点相同的要素，否则全部合并。",
                    "en": "GeoJSON, GeoPackage, zipped shapefile (.zip), KML or KMZ, at most "
                          "{mb} MB. With several features, those whose id or name is this "
                          "place's are taken, else all of them together."},
    "upload_crs": {"zh": "文件坐标系", "en": "The file's coordinate system"},
    "crs_auto": {"zh": "按文件声明（未声明时为 WGS-84）",
                 "en": "As the file states (WGS-84 when it states none)"},
    "upload_read": {"zh": "读取文件并显示", "en": "Read the file and show it"},
    "upload_done": {"zh": "已读取 {format}：{used}/{features} 个要素，坐标系 {crs}，"
                          "换算为 WGS-84 后移动 {moved} 米。",
                    "en": "Read {format}: {used} of {features} features, in {crs}; converting "
                          "to WGS-84 moved it {moved} m."},
    "about_position": {"zh": "位置说明", "en": "About the position"},
    "expected_error_m": {"zh": "预计误差（米）", "en": "Expected error (metres)"},
    "basis_default": {"zh": "按精度默认", "en": "The precision's default"},
    "source_required": {"zh": "坐标来源（必填）", "en": "Coordinate source (required)"},
    "source_help": {"zh": "例如：2026 年实测；1:2000 规划图数字化",
                    "en": "e.g. surveyed 2026; digitised from the 1:2000 plan"},
    "comment": {"zh": "更正理由（给审核人看）", "en": "Why (for the reviewer)"},
    "submit_proposal": {"zh": "提交审核", "en": "Submit for review"},
    "based_on": {"zh": "基于：{what}", "en": "Based on: {what}"},
    "data_files": {"zh": "数据文件", "en": "the data files"},
    "revision_n": {"zh": "修订 {n}", "en": "revision {n}"},
    "alias_section": {"zh": "增加别名", "en": "Add an alias"},
    "alias_text": {"zh": "别名", "en": "Alias"},
    "alias_plans": {"zh": "只在这些规划中（都不选：所有规划）",
                    "en": "Only in these plans (none ticked: every plan)"},
    "submit_alias": {"zh": "提交别名", "en": "Propose the alias"},
    "conflict_newer": {"zh": "此地点已有更新的修订，请在其基础上重新提出：",
                       "en": "The place has a newer revision; start again from it:"},
    "propose_place": {"zh": "提出新地点", "en": "Propose a new place"},
    "new_place_title": {"zh": "提出新地点", "en": "Propose a new place"},
    "new_place_intro": {"zh": "规划文件提到、但地名库中没有的地点。"
                               "审核人批准后出现在地图和图层中。",
                        "en": "A place the plans name but the gazetteer lacks. It appears on "
                              "the maps and in the layers once a reviewer approves it."},
    "place_id": {"zh": "标识（小写拼音、数字和 -）", "en": "Id (lower-case pinyin, digits, -)"},
    "name_en": {"zh": "英文名", "en": "English name"},
    "parent_id": {"zh": "上级地点的标识（可不填）", "en": "Part of (a place id; optional)"},
    "edit_map": {"zh": "编辑地图", "en": "Map for drawing"},
    # the queue and one revision
    "review_intro": {"zh": "按提出的先后排列。批准后，更正在数秒内出现在所有页面、图层、"
                            "下载和 OGC API 中。",
                     "en": "Oldest first. Once approved, a correction reaches every page, "
                           "layer, download and the OGC API within seconds."},
    "queue_empty": {"zh": "没有待审核的更正。", "en": "Nothing waits for review."},
    "recently_decided": {"zh": "最近审核", "en": "Recently decided"},
    "col_revision": {"zh": "修订", "en": "Revision"},
    "col_place": {"zh": "地点", "en": "Place"},
    "col_change": {"zh": "更改", "en": "Change"},
    "col_author": {"zh": "提出人", "en": "Proposed by"},
    "col_when": {"zh": "时间", "en": "When"},
    "col_why": {"zh": "理由", "en": "Why"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_reviewer": {"zh": "审核人", "en": "Decided by"},
    "col_review": {"zh": "审核意见", "en": "Review"},
    "col_base": {"zh": "基于", "en": "Based on"},
    "col_field": {"zh": "字段", "en": "Field"},
    "col_geometry": {"zh": "几何", "en": "Geometry"},
    "rev_geometry": {"zh": "几何更正", "en": "geometry"},
    "rev_place": {"zh": "新地点", "en": "new place"},
    "rev_alias": {"zh": "别名", "en": "alias"},
    "rev_revert": {"zh": "恢复", "en": "revert"},
    "status_proposed": {"zh": "待审核", "en": "proposed"},
    "status_approved": {"zh": "已批准", "en": "approved"},
    "status_rejected": {"zh": "已驳回", "en": "rejected"},
    "open_review": {"zh": "查看", "en": "Open"},
    "revision_title": {"zh": "修订 {n}：{name}", "en": "Revision {n}: {name}"},
    "before": {"zh": "修改前", "en": "Before"},
    "after": {"zh": "修改后", "en": "After"},
    "review_map": {"zh": "修改前后对比地图", "en": "Map: before and after"},
    "what_changes": {"zh": "变更内容", "en": "What changes"},
    "moved": {"zh": "中心移动 {m} 米", "en": "The centre moves {m} m"},
    "no_geometry": {"zh": "（无几何）", "en": "(no geometry)"},
    "no_place": {"zh": "（不存在）", "en": "(does not exist)"},
    "field_exists": {"zh": "地点", "en": "The place"},
    "field_aliases": {"zh": "别名", "en": "Aliases"},
    "geometry_words": {"zh": "{type}，{vertices} 个顶点", "en": "{type}, {vertices} vertices"},
    "area_words": {"zh": "面积 {km2} 平方公里", "en": "area {km2} km²"},
    "length_words": {"zh": "长 {km} 公里", "en": "{km} km long"},
    "decide": {"zh": "审核", "en": "Decide"},
    "reason": {"zh": "意见（驳回时必填）", "en": "Reason (required to reject)"},
    "approve": {"zh": "批准", "en": "Approve"},
    "reject": {"zh": "驳回", "en": "Reject"},
    "withdraw": {"zh": "撤回我的提议", "en": "Withdraw my proposal"},
    "own_proposal": {"zh": "这是你自己提出的更正，须由另一位审核人批准（四眼原则）。",
                     "en": "This is your own proposal: another reviewer must approve it "
                           "(four eyes)."},
    "stale_base": {"zh": "此修订所基于的状态已不是最新（现为 {what}），不能批准；"
                          "请驳回，并在最新状态上重新提出。",
                   "en": "This revision builds on a state that is no longer current (now "
                         "{what}): it cannot be approved. Reject it and propose again from "
                         "the present state."},
    "decided": {"zh": "{status}：{who}，{when}", "en": "{status} by {who} on {when}"},
    "msg_proposed": {"zh": "已提交，等待审核。", "en": "Submitted; it waits for a reviewer."},
    "msg_approved": {"zh": "已批准：更正将在数秒内在所有页面生效。",
                     "en": "Approved: the correction is live on every page within seconds."},
    "msg_rejected": {"zh": "已驳回。", "en": "Rejected."},
    # history and revert
    "history_title": {"zh": "修订历史：{name}", "en": "Revision history: {name}"},
    "history_intro": {"zh": "每一次提出、批准、驳回和恢复都记录在此，不可删改。"
                             "恢复本身也是一次修订，须经审核。",
                      "en": "Every proposal, approval, rejection and revert is recorded here "
                            "and cannot be changed. A revert is itself a revision, reviewed "
                            "like any other."},
    "history_empty": {"zh": "尚无修订：此地点与数据文件一致。",
                      "en": "No revisions yet: the place is as in the data files."},
    "current_state": {"zh": "当前状态：{what}", "en": "Now: {what}"},
    "revert_to": {"zh": "恢复到此修订后的状态", "en": "Revert to the state after this revision"},
    "revert_to_files": {"zh": "恢复到数据文件中的状态", "en": "Revert to the data files"},
    "revert_why": {"zh": "恢复理由", "en": "Why revert"},
    "mini_map": {"zh": "修订 {n} 的几何（红）与当前几何（灰）",
                 "en": "Geometry of revision {n} (red) over the present one (grey)"},
    "back_to_place": {"zh": "返回地点页", "en": "Back to the place"},
}
